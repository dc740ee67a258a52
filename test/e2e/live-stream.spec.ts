import { callJson } from '../support/http-call';
import { localAdminEnv } from '../../src/cluster/node-process';
import { E2eCluster, randomToken, waitFor } from './cluster-harness';

/**
 * GET /api/stream on a real 3-node cluster: scoped like REST (a student their own events, a
 * teacher their own applications', the admin all), ids are log positions, Last-Event-ID resumes
 * from the log, keep-alive comments, cookie and bearer sessions; and the web session's cookie and
 * CSRF rules and security headers as a node serves them.
 */

const REQUEST_TIMEOUT_MS = 15_000;
const KEEPALIVE_MS = 500;

interface LiveMessage {
  readonly id: number;
  readonly event: { position: number; streamType: string; streamId: string; type: string; data: Record<string, unknown> };
}

/** An open SSE connection read as it arrives: messages, comments, and whether it ended. */
class SseClient {
  readonly messages: LiveMessage[] = [];
  readonly comments: string[] = [];
  status = 0;
  ended = false;
  private readonly abort = new AbortController();

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: client.abort.signal });
    client.status = response.status;
    if (response.status !== 200 || response.body === null) {
      client.ended = true;
      await response.text().catch(() => undefined);
      return client;
    }
    void client.read(response.body);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          this.onBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
    this.ended = true;
  }

  private onBlock(block: string): void {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (id !== undefined && data.length > 0) this.messages.push({ id: Number(id), event: JSON.parse(data.join('\n')) as LiveMessage['event'] });
  }

  /** Waits until a message at `position` (or later) arrived. */
  async until(position: number, what: string): Promise<void> {
    await waitFor(what, () => this.messages.some((m) => m.id >= position), 20_000, 25);
  }

  close(): void {
    this.abort.abort();
  }
}

describe('live stream (SSE) and web sessions on a 3-node cluster', () => {
  let cluster: E2eCluster;
  let ports: number[] = [];
  const run = randomToken();
  const admin = localAdminEnv();
  const clients: SseClient[] = [];
  const url = (node: number, path: string) => `http://127.0.0.1:${ports[node]}${path}`;

  const call = (node: number, method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson(url(node, path), method, headers, body, REQUEST_TIMEOUT_MS);

  /** Logs in on `node` (retrying until the user is applied there): bearer token, cookie header, CSRF token. */
  async function login(node: number, username: string, password: string) {
    let answer: Awaited<ReturnType<typeof call>> | undefined;
    await waitFor(`login of ${username}`, async () => {
      answer = await call(node, 'POST', '/api/auth/login', {}, { username, password });
      return answer.status === 200;
    }, 20_000, 100);
    const result = answer!;
    const cookies = result.headers.getSetCookie().map((line) => line.split(';')[0]);
    return { token: String(result.body.accessToken), cookie: cookies.join('; '), csrf: String(result.body.csrfToken), setCookie: result.headers.getSetCookie() };
  }

  async function write(node: number, auth: Record<string, string>, path: string, body: unknown, status = 201): Promise<Record<string, unknown>> {
    const answer = await call(node, 'POST', path, auth, body);
    if (answer.status !== status) throw new Error(`POST ${path}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async function open(node: number, headers: Record<string, string>, query = ''): Promise<SseClient> {
    const client = await SseClient.open(url(node, `/api/stream${query}`), headers);
    clients.push(client);
    return client;
  }

  const s1 = `s1-${run}`;
  const s2 = `s2-${run}`;
  const t1 = `t1-${run}`;
  const t2 = `t2-${run}`;
  const kid = `kid-${run}`;
  let adminAuth: Awaited<ReturnType<typeof login>>;
  let bearer: Record<string, string>;

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'live', env: { LIVE_STREAM_KEEPALIVE_MS: String(KEEPALIVE_MS) } });
    ports = cluster.ids.map((id) => cluster.port(id) ?? 0);
    await cluster.waitForLeader();
    adminAuth = await login(0, admin.ADMIN_USERNAME, admin.ADMIN_PASSWORD);
    bearer = { Authorization: `Bearer ${adminAuth.token}` };
    for (const studentId of [s1, s2]) await write(0, bearer, '/api/students', { studentId, name: `Student ${studentId}`, className: '7a' });
    for (const username of [t1, t2]) await write(0, bearer, '/api/users', { username, password: 'teacher-password', role: 'teacher', displayName: username });
    await write(0, bearer, '/api/users', { username: kid, password: 'student-password', role: 'student', displayName: 'Kid', studentId: s1 });
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.stop();
  }, 60_000);

  it('the session cookie and its CSRF token: reads pass, writes need X-CSRF-Token; the CSP is sent', async () => {
    expect(adminAuth.setCookie.find((c) => c.startsWith('session='))).toMatch(/HttpOnly/i);
    expect(adminAuth.setCookie.find((c) => c.startsWith('session='))).toMatch(/SameSite=Strict/i);
    const cookie = { Cookie: adminAuth.cookie };
    const me = await call(1, 'GET', '/api/auth/me', cookie);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: admin.ADMIN_USERNAME, role: 'admin' });
    expect(me.headers.get('content-security-policy')).toContain("default-src 'self'");
    const refused = await call(2, 'POST', '/api/students', cookie, { studentId: `csrf-${run}`, name: 'N', className: '7a' });
    expect(refused.status).toBe(403);
    await write(2, { ...cookie, 'X-CSRF-Token': adminAuth.csrf }, '/api/students', { studentId: `csrf-${run}`, name: 'N', className: '7a' });
  });

  it('answers 401 without a session and 400 for a malformed Last-Event-ID', async () => {
    expect((await open(0, {})).status).toBe(401);
    expect((await open(0, { ...bearer, 'Last-Event-ID': 'nope' })).status).toBe(400);
  });

  it('scopes events like REST: the student their own, the teacher their applications, the admin all; ids are positions', async () => {
    const kidAuth = await login(1, kid, 'student-password');
    const t1Auth = await login(2, t1, 'teacher-password');
    const t2Auth = await login(2, t2, 'teacher-password');
    const adminStream = await open(0, { Cookie: adminAuth.cookie });
    const kidStream = await open(1, { Cookie: kidAuth.cookie });
    const t1Stream = await open(2, { Authorization: `Bearer ${t1Auth.token}` });
    expect([adminStream.status, kidStream.status, t1Stream.status]).toEqual([200, 200, 200]);

    const t1Bearer = { Authorization: `Bearer ${t1Auth.token}` };
    const t2Bearer = { Authorization: `Bearer ${t2Auth.token}` };
    const onS2 = await write(0, bearer, '/api/scores/modify', { studentId: s2, delta: 3, reason: 'other student' }, 200);
    const t2App = await write(1, t2Bearer, '/api/applications', { studentId: s1, delta: 2, reason: 'by t2' });
    const t1App = await write(2, t1Bearer, '/api/applications', { studentId: s2, delta: 1, reason: 'by t1' });
    const approved = await write(0, bearer, `/api/applications/${String(t1App.applicationId)}/review`, { decision: 'approve', comment: 'ok' }, 200);
    const onS1 = await write(1, bearer, '/api/scores/modify', { studentId: s1, delta: -1, reason: 'late' }, 200);

    await adminStream.until(Number(onS1.position), 'the admin sees the last write');
    await kidStream.until(Number(onS1.position), 'the student sees their change');
    await t1Stream.until(Number(approved.position) - 1, "the teacher sees their application's review");

    const positions = (client: SseClient) => client.messages.map((m) => m.id);
    for (const client of [adminStream, kidStream, t1Stream]) {
      expect(positions(client)).toEqual([...positions(client)].sort((a, b) => a - b));
      for (const m of client.messages) expect(m.id).toBe(m.event.position);
    }
    expect(kidStream.messages.map((m) => [m.event.streamType, m.event.streamId])).toEqual(kidStream.messages.map(() => ['student', s1]));
    expect(kidStream.messages.map((m) => m.event.type)).toContain('ScoreModified');
    const t1Ids = t1Stream.messages.map((m) => m.event.streamId);
    expect(new Set(t1Ids)).toEqual(new Set([String(t1App.applicationId)]));
    expect(t1Stream.messages.map((m) => m.event.type)).toEqual(['ApplicationSubmitted', 'ApplicationApproved']);
    const adminSeen = new Set(positions(adminStream));
    for (const p of [onS2.position, t2App.position, t1App.position, approved.position, onS1.position]) expect(adminSeen.has(Number(p))).toBe(true);
    expect(JSON.stringify(adminStream.messages)).not.toContain('passwordHash');
    // Keep-alive comments arrive while the stream is open.
    await waitFor('a keep-alive comment', () => kidStream.comments.includes('keep-alive'), 10_000, 25);
    for (const client of [adminStream, kidStream, t1Stream]) client.close();
  });

  it('Last-Event-ID resumes from the log: a reconnect gets exactly what it missed, in order', async () => {
    const kidAuth = await login(0, kid, 'student-password');
    const first = await open(0, { Cookie: kidAuth.cookie });
    const a = await write(0, bearer, '/api/scores/modify', { studentId: s1, delta: 1, reason: 'a' }, 200);
    await first.until(Number(a.position), 'the first change');
    first.close();
    const lastSeen = first.messages.at(-1)!.id;
    const b = await write(1, bearer, '/api/scores/modify', { studentId: s1, delta: 1, reason: 'b' }, 200);
    await write(1, bearer, '/api/scores/modify', { studentId: s2, delta: 1, reason: 'not hers' }, 200);
    const c = await write(2, bearer, '/api/scores/modify', { studentId: s1, delta: 1, reason: 'c' }, 200);
    const resumed = await open(2, { Cookie: kidAuth.cookie, 'Last-Event-ID': String(lastSeen) });
    await resumed.until(Number(c.position), 'the missed changes');
    expect(resumed.messages.map((m) => m.id)).toEqual([Number(b.position), Number(c.position)]);
    expect(resumed.messages.map((m) => (m.event.data as { reason: string }).reason)).toEqual(['b', 'c']);
    // From the start of the log: the student's whole history, registration first.
    const history = await open(1, { Cookie: kidAuth.cookie }, '?lastEventId=0');
    await history.until(Number(c.position), 'the whole history');
    expect(history.messages[0].event.type).toBe('StudentRegistered');
    expect(history.messages.every((m) => m.event.streamId === s1)).toBe(true);
  });

  it('ends the stream when the session logs out on its node', async () => {
    const t1Auth = await login(1, t1, 'teacher-password');
    const stream = await open(1, { Cookie: t1Auth.cookie });
    expect(stream.status).toBe(200);
    expect((await call(1, 'POST', '/api/auth/logout', { Cookie: t1Auth.cookie })).status).toBe(204);
    await waitFor('the stream to end', () => stream.ended, 20_000, 50);
    expect((await call(1, 'GET', '/api/auth/me', { Cookie: t1Auth.cookie })).status).toBe(401);
  });

  it('ends the stream when the session ends (the user is disabled)', async () => {
    const t2Auth = await login(0, t2, 'teacher-password');
    const stream = await open(0, { Cookie: t2Auth.cookie });
    expect(stream.status).toBe(200);
    const patched = await call(0, 'PATCH', `/api/users/${t2}`, bearer, { disabled: true });
    expect(patched.status).toBe(200);
    await waitFor('the stream to end', () => stream.ended, 20_000, 50);
  });
});
