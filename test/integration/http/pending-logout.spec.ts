import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { randomJwtSecret } from '../../support/jwt-secret';
import { dropDatabase } from '../mysql/test-database';
import { type RunningNode, type TestCluster, startRunningNode, until } from '../operations/snapshot-node';

const MEMBERS = ['n1', 'n2'];
const TEACHER = { username: 'tina', password: 'tina-password' };
const LOGGED_OUT = 'token no longer valid: logged out';
/** How long a step that needs the cluster (a leader, an applied log) may take, at most. */
const CLUSTER_MS = 30_000;

/**
 * The cookies a browser keeps for one origin: a Set-Cookie replaces or (expired) removes one, and
 * a cookie is sent only below its path, so the pending-logout cookie goes to the logout route alone.
 */
class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  take(setCookie: string[] | string | undefined): void {
    for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice('path='.length) ?? '/';
      const expired = attributes.some((a) => a.toLowerCase().startsWith('expires=') && Date.parse(a.slice('expires='.length)) <= Date.now());
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  header(path: string): string {
    return [...this.cookies].filter(([, c]) => path.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
  }
}

/**
 * A web logout the cluster could not record (no quorum) leaves its token in the pending-logout
 * cookie. When the user signs in again and logs out again, that logout records the pending one
 * too, so that no logout is dropped: two real nodes on the real MySQL and NATS, the quorum taken
 * away by stopping one of them, and the other node the judge of which logouts the log holds.
 */
describe('a web logout records the logouts its browser still has pending (two nodes, real MySQL and NATS)', () => {
  const id = randomBytes(4).toString('hex');
  const cluster: TestCluster = { name: `pl${id}`, jwtSecret: randomJwtSecret(), admin: { username: 'headmaster', password: 'bootstrap-secret' } };
  const database = (node: string) => `behavior_test_pl_${id}_${node}`;
  const running = new Map<string, RunningNode>();

  const start = async (node: string): Promise<RunningNode> => {
    const started = await startRunningNode(cluster, node, MEMBERS, database(node));
    running.set(node, started);
    return started;
  };
  const stop = async (node: string): Promise<void> => {
    await running.get(node)?.stop();
    running.delete(node);
  };
  const server = (node: string) => running.get(node)!.app.getHttpServer();

  let admin = '';
  let probes = 0;
  /** Until a write through `node` is applied (a leader with a quorum, its recovered slots applied): a student registered. */
  const untilWrites = (node: string) =>
    until(`a write through ${node}`, async () => {
      const probe = { studentId: `probe-${++probes}`, name: 'Probe', className: '9Z' };
      return (await request(server(node)).post('/api/students').set('Authorization', `Bearer ${admin}`).send(probe)).status === 201;
    }, CLUSTER_MS);

  /** Signs the teacher in on n1 from `browser` (retried until n1 has her credentials); answers the token. */
  async function signIn(browser: CookieJar): Promise<string> {
    let token = '';
    await until('tina signs in on n1', async () => {
      const res = await request(server('n1')).post('/api/auth/login').send(TEACHER);
      if (res.status !== 200) return false;
      browser.take(res.headers['set-cookie']);
      token = String(res.body.accessToken);
      return true;
    }, CLUSTER_MS);
    return token;
  }

  /** The web app's logout on n1: the browser sends what it holds for the logout route and keeps what the answer sets. */
  async function logOut(browser: CookieJar): Promise<number> {
    const res = await request(server('n1')).post('/api/auth/logout').set('Cookie', browser.header('/api/auth/logout'));
    browser.take(res.headers['set-cookie']);
    return res.status;
  }

  beforeAll(async () => {
    for (const node of MEMBERS) await start(node);
    admin = await running.get('n1')!.adminToken();
    await untilWrites('n1');
    const created = await request(server('n1')).post('/api/users').set('Authorization', `Bearer ${admin}`).send({ ...TEACHER, role: 'teacher', displayName: 'Tina' });
    if (created.status !== 201) throw new Error(`POST /api/users answered ${created.status}: ${JSON.stringify(created.body)}`);
  }, 90_000);

  afterAll(async () => {
    for (const node of [...running.keys()]) await stop(node).catch(() => undefined);
    for (const node of MEMBERS) await dropDatabase(database(node));
  }, 60_000);

  it('given a logout left pending without a quorum, when the user signs in again and logs out (with and without a quorum), then every logout is recorded and the pending cookie goes', async () => {
    const browser = new CookieJar();
    const first = await signIn(browser);
    await stop('n2');
    await until('n1 without a quorum', () => !running.get('n1')!.node.hasQuorum(), CLUSTER_MS);
    expect(await logOut(browser)).toBe(503);
    expect(browser.has('logout_pending')).toBe(true);

    // Still without a quorum, she signs in again (a login needs no quorum) and logs out again: both wait.
    const second = await signIn(browser);
    expect(await logOut(browser)).toBe(503);
    expect(browser.has('logout_pending')).toBe(true);

    // The quorum is back; she signs in once more and logs out: the pending logouts are recorded with hers.
    await start('n2');
    await untilWrites('n1');
    const third = await signIn(browser);
    expect(await logOut(browser)).toBe(204);
    expect(browser.has('logout_pending')).toBe(false);
    expect(browser.has('session')).toBe(false);

    // n2 was down for the first two logouts and served none of them: it refuses a token only once the log says so.
    for (const [name, token] of [['first', first], ['second', second], ['third', third]] as const) {
      await until(`n2 refusing the ${name} token`, async () => {
        const me = await request(server('n2')).get('/api/auth/me').set('Authorization', `Bearer ${token}`);
        return me.status === 401 && me.body.message === LOGGED_OUT;
      }, CLUSTER_MS);
    }
  }, 180_000);
});
