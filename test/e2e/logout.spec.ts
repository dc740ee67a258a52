import { type JsonAnswer, callJson } from '../support/http-call';
import { localAdminEnv } from '../../src/cluster/node-process';
import { E2eCluster, randomToken, waitFor } from './cluster-harness';

/**
 * Logout on a real 3-node cluster (OWASP ASVS 3.3.1): a token logged out on n1 is refused on n2 and
 * n3 once they applied the log's UserSessionEnded, and on n2 after a restart (the revocation is in
 * its database, not in memory); the same user's other session keeps working; a repeated logout is
 * recorded once. Without a quorum the logout answers 503 with Retry-After, still clears the cookie
 * and refuses the token on its node; a retry with the bearer token records it once the quorum is back.
 */

const REQUEST_TIMEOUT_MS = 15_000;
/** How long a node may take to apply a logout recorded elsewhere (it usually takes milliseconds). */
const APPLY_MS = 20_000;
const LOGGED_OUT = 'token no longer valid: logged out';

type Answer = JsonAnswer;

interface Session {
  readonly token: string;
  readonly cookie: string;
  readonly bearer: Record<string, string>;
}

describe('logout ends a session on every node (3-node cluster)', () => {
  let cluster: E2eCluster;
  const run = randomToken();
  const admin = localAdminEnv();
  const teacher = `t-${run}`;
  let adminBearer: Record<string, string>;

  const nodeIndex = (id: string) => cluster.ids.indexOf(id);

  async function call(node: number, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
    const port = cluster.port(cluster.ids[node]);
    if (port === null) throw new Error(`node ${cluster.ids[node]} serves no HTTP port`);
    return callJson(`http://127.0.0.1:${port}${path}`, method, headers, body, REQUEST_TIMEOUT_MS);
  }

  /** Logs in on `node`, retrying until the user is applied there. */
  async function login(node: number, username: string, password: string): Promise<Session> {
    let answer: Answer | undefined;
    await waitFor(`login of ${username} on ${cluster.ids[node]}`, async () => {
      answer = await call(node, 'POST', '/api/auth/login', {}, { username, password });
      return answer.status === 200;
    }, APPLY_MS, 100);
    const token = String(answer!.body.accessToken);
    return { token, cookie: answer!.headers.getSetCookie().map((line) => line.split(';')[0]).join('; '), bearer: { Authorization: `Bearer ${token}` } };
  }

  /** `GET /api/auth/me` on `node` with `headers`: its status and message. */
  async function me(node: number, headers: Record<string, string>): Promise<{ status: number; message: unknown }> {
    const answer = await call(node, 'GET', '/api/auth/me', headers);
    return { status: answer.status, message: answer.body.message };
  }

  /** Waits until `node` answers `me` for `headers` with `status` (a node applies the log on its own time). */
  async function untilMe(node: number, headers: Record<string, string>, status: number, what: string): Promise<void> {
    let last: { status: number; message: unknown } | undefined;
    try {
      await waitFor(what, async () => {
        last = await me(node, headers);
        return last.status === status && (status !== 401 || last.message === LOGGED_OUT);
      }, APPLY_MS, 50);
    } catch (error) {
      throw new Error(`${what}: last answer ${JSON.stringify(last)}\n${cluster.logTails()}`, { cause: error });
    }
  }

  /** The session cookie a Set-Cookie list leaves the browser with ('' once cleared). */
  function sessionCookieOf(answer: Answer): string | undefined {
    const line = answer.headers.getSetCookie().find((l) => l.startsWith('session='));
    return line === undefined ? undefined : line.split(';')[0].slice('session='.length);
  }

  /** How many UserSessionEnded events of `tokenId` node `id` holds. */
  async function loggedOutEvents(id: string, tokenId: string): Promise<number> {
    return (await cluster.db.eventLog(id)).filter((row) => row.data.includes(`"tokenId":"${tokenId}"`)).length;
  }

  function tokenIdOf(token: string): string {
    return String((JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { jti: string }).jti);
  }

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'logout' });
    await cluster.waitForLeader();
    adminBearer = (await login(0, admin.ADMIN_USERNAME, admin.ADMIN_PASSWORD)).bearer;
    const created = await call(0, 'POST', '/api/users', adminBearer, { username: teacher, password: 'teacher-password', role: 'teacher', displayName: 'Teacher' });
    if (created.status !== 201) throw new Error(`POST /api/users: ${created.status} ${JSON.stringify(created.body)}`);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it("a token logged out on n1 is refused on n2 and n3, and on n2 after it restarts; the user's other session keeps working", async () => {
    const web = await login(0, teacher, 'teacher-password');
    const program = await login(0, teacher, 'teacher-password');
    for (const node of [0, 1, 2]) await untilMe(node, web.bearer, 200, `the session working on ${cluster.ids[node]}`);

    const out = await call(0, 'POST', '/api/auth/logout', { Cookie: web.cookie });
    expect(out.status).toBe(204);
    expect(sessionCookieOf(out)).toBe('');
    // At once on the node that answered, through the cookie and through the bearer token alike.
    expect(await me(0, { Cookie: web.cookie })).toEqual({ status: 401, message: LOGGED_OUT });
    expect(await me(0, web.bearer)).toEqual({ status: 401, message: LOGGED_OUT });
    // On the other nodes once they applied the log.
    await untilMe(1, web.bearer, 401, 'n2 refusing the logged-out token');
    await untilMe(2, { Cookie: web.cookie }, 401, 'n3 refusing the logged-out token');
    for (const node of [0, 1, 2]) expect((await me(node, program.bearer)).status).toBe(200);

    // Logging out again (another node, the bearer token) is recorded once.
    expect((await call(2, 'POST', '/api/auth/logout', web.bearer)).status).toBe(204);
    await cluster.waitForConvergence(30_000);
    for (const id of cluster.ids) expect(await loggedOutEvents(id, tokenIdOf(web.token))).toBe(1);

    // n2 restarts: it loads the revocation from its database.
    await cluster.kill('n2');
    await cluster.restart('n2');
    const n2 = nodeIndex('n2');
    expect(await me(n2, web.bearer)).toEqual({ status: 401, message: LOGGED_OUT });
    expect(await me(n2, { Cookie: web.cookie })).toEqual({ status: 401, message: LOGGED_OUT });
    expect((await me(n2, program.bearer)).status).toBe(200);
  }, 180_000);

  it('without a quorum the logout answers 503 with Retry-After, clears the cookie and refuses the token on its node; a retry records it once the quorum is back', async () => {
    await cluster.waitForLeader();
    const web = await login(0, teacher, 'teacher-password');
    for (const node of [0, 1, 2]) await untilMe(node, web.bearer, 200, `the session working on ${cluster.ids[node]}`);

    await Promise.all(['n2', 'n3'].map((id) => cluster.stopNode(id)));
    try {
      // n1 knows it has no quorum (so it proposes nothing that a later quorum could still choose).
      await waitFor('n1 without a quorum', async () => (await call(0, 'GET', '/health/writable', {})).status === 503, 20_000, 100);
      const out = await call(0, 'POST', '/api/auth/logout', { Cookie: web.cookie });
      expect(out.status).toBe(503);
      expect(Number(out.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(String(out.body.message)).toContain('not yet recorded cluster-wide');
      expect(sessionCookieOf(out)).toBe('');
      expect(await me(0, web.bearer)).toEqual({ status: 401, message: LOGGED_OUT });
    } finally {
      await Promise.all(['n2', 'n3'].filter((id) => !cluster.isAlive(id)).map((id) => cluster.restart(id)));
    }
    await cluster.waitForLeader(30_000);
    // Not recorded: n2 never heard of it.
    expect((await me(nodeIndex('n2'), web.bearer)).status).toBe(200);
    // The program's retry, with its bearer token, records it.
    let retried: Answer | undefined;
    await waitFor('the retried logout recorded', async () => {
      retried = await call(0, 'POST', '/api/auth/logout', web.bearer);
      return retried.status === 204;
    }, 30_000, 250);
    await untilMe(nodeIndex('n2'), web.bearer, 401, 'n2 refusing the token once the retry is recorded');
    await untilMe(nodeIndex('n3'), web.bearer, 401, 'n3 refusing the token once the retry is recorded');
  }, 180_000);
});
