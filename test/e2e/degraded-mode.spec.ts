import { scopedCommandId } from '../../src/application/idempotency';
import { localAdminEnv } from '../../src/cluster/node-process';
import { E2eCluster, checkLogs, randomToken, report, waitFor } from './cluster-harness';

/**
 * Degraded mode on a real 3-node cluster with two nodes stopped: writes answer 503 with
 * Retry-After; reads go on from the local read models marked `X-Consistency: stale` with the
 * position they reflect; a write with `Prefer: respond-async` is queued durably (202, pending,
 * across a SIGKILL of the node) and proposed once when the quorum returns. How fast the 503 comes
 * is printed, not asserted (the request timeout only stops a hang).
 */

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  ms: number;
}

describe('degraded mode (no quorum)', () => {
  let cluster: E2eCluster;
  let token = '';
  const admin = localAdminEnv();
  const run = randomToken();
  const studentId = `deg-${run}`;

  async function call(id: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${cluster.port(id)}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, ms: performance.now() - started };
  }

  /** Sends a write with its key until it is acknowledged (a leader change may answer 503 once). */
  async function writeOk(id: string, path: string, body: unknown, key: string): Promise<Answer> {
    let last: Answer | null = null;
    await waitFor(`${path} acknowledged`, async () => {
      last = await call(id, 'POST', path, { body, headers: { 'idempotency-key': key } });
      return last.status < 300;
    }, 30_000, 250);
    return last!;
  }

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'degraded' });
    await cluster.waitForLeader();
    await waitFor('admin login', async () => {
      const answer = await call('n1', 'POST', '/api/auth/login', { body: { username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD } });
      token = String(answer.body.accessToken ?? '');
      return answer.status === 200;
    }, 30_000, 250);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('serves stale reads, answers writes 503 and queues respond-async writes until the quorum returns', () =>
    cluster.diagnose(async () => {
      await writeOk('n1', '/api/students', { studentId, name: 'Degraded Dora', className: 'd' }, `reg-${run}`);
      // Each write's reason is its key: the logs are checked to hold each acknowledged one once by content.
      const before = await writeOk('n1', '/api/scores/modify', { studentId, delta: 5, reason: `before-${run}` }, `before-${run}`);
      const position = Number(before.body.position);
      const current = await call('n1', 'GET', `/api/students/${studentId}`, { headers: { 'x-min-position': String(position) } });
      expect(current.status).toBe(200);
      expect(current.headers.get('x-consistency')).toBe('current');
      expect(Number(current.headers.get('x-read-position'))).toBeGreaterThanOrEqual(position);
      await cluster.waitForConvergence(20_000);

      await Promise.all(['n2', 'n3'].map((id) => cluster.stopNode(id)));
      await waitFor('n1 to notice it has no quorum', async () => (await call('n1', 'GET', `/api/students/${studentId}`)).headers.get('x-consistency') === 'stale', 10_000, 100);

      const refused = await call('n1', 'POST', '/api/scores/modify', { body: { studentId, delta: 1, reason: `refused-${run}` }, headers: { 'idempotency-key': `refused-${run}` } });
      report(`degraded: a write without quorum answered ${refused.status} in ${Math.round(refused.ms)} ms, Retry-After ${refused.headers.get('retry-after')}`);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

      const stale = await call('n1', 'GET', `/api/students/${studentId}`);
      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-consistency')).toBe('stale');
      expect(Number(stale.headers.get('x-read-position'))).toBe(position);
      expect(stale.body).toMatchObject({ studentId, score: 105 });
      const staleList = await call('n1', 'GET', '/api/students?className=d');
      expect(staleList.headers.get('x-consistency')).toBe('stale');

      const queued = await call('n1', 'POST', '/api/scores/modify', { body: { studentId, delta: 7, reason: `queued-${run}` }, headers: { 'idempotency-key': `queued-${run}`, prefer: 'respond-async' } });
      expect(queued.status).toBe(202);
      const queuedId = scopedCommandId(admin.ADMIN_USERNAME, `queued-${run}`);
      expect(queued.body).toMatchObject({ commandId: queuedId, status: 'pending' });
      expect(queued.headers.get('preference-applied')).toBe('respond-async');
      // The same key again is the same command: queued once.
      expect((await call('n1', 'POST', '/api/scores/modify', { body: { studentId, delta: 7, reason: `queued-${run}` }, headers: { 'idempotency-key': `queued-${run}`, prefer: 'respond-async' } })).status).toBe(202);
      const doomed = await call('n1', 'POST', '/api/scores/modify', { body: { studentId: `nobody-${run}`, delta: 1, reason: 'no such student' }, headers: { 'idempotency-key': `doomed-${run}`, prefer: 'respond-async' } });
      expect(doomed.status).toBe(202);
      expect((await call('n1', 'GET', `/api/commands/queued-${run}`)).body).toEqual({ commandId: queuedId, idempotencyKey: `queued-${run}`, status: 'pending' });

      // Durable: the queue survives a SIGKILL of the node that took it.
      await cluster.kill('n1');
      await cluster.restart('n1');
      expect((await call('n1', 'GET', `/api/commands/queued-${run}`)).body).toEqual({ commandId: queuedId, idempotencyKey: `queued-${run}`, status: 'pending' });
      expect((await call('n1', 'GET', `/api/students/${studentId}`)).body).toMatchObject({ score: 105 });

      await Promise.all(['n2', 'n3'].map((id) => cluster.restart(id)));
      let status: Record<string, unknown> = {};
      await waitFor('the queued write applied', async () => {
        status = (await call('n1', 'GET', `/api/commands/queued-${run}`)).body;
        return status.status !== 'pending';
      }, 30_000, 200);
      expect(status).toMatchObject({ commandId: queuedId, idempotencyKey: `queued-${run}`, status: 'applied' });
      await waitFor('the doomed write decided', async () => (await call('n1', 'GET', `/api/commands/doomed-${run}`)).body.status !== 'pending', 30_000, 200);
      expect((await call('n1', 'GET', `/api/commands/doomed-${run}`)).body).toMatchObject({ status: 'rejected', statusCode: 404 });

      await cluster.waitForConvergence(30_000);
      // Acknowledged under their scoped ids; their reasons carry the client's keys (checked by content).
      const { logs } = await checkLogs(cluster, new Set([queuedId, scopedCommandId(admin.ADMIN_USERNAME, `before-${run}`)]), new Set([`queued-${run}`, `before-${run}`]));
      for (const log of logs.values()) expect(log.filter((row) => row.command_id.startsWith(queuedId))).toHaveLength(1);
      const after = await call('n2', 'GET', `/api/students/${studentId}`, { headers: { 'x-min-position': String(status.position) } });
      expect(after.body).toMatchObject({ score: 112 });
      expect(after.headers.get('x-consistency')).toBe('current');
    }),
    180_000,
  );
});
