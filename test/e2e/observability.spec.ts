import type { NatsConnection } from 'nats';
import { localAdminEnv } from '../../src/cluster/node-process';
import { findFreePort } from '../../src/bench/ports';
import { okData, requestPublic } from '../integration/messaging/public-nats-support';
import { declaredMetrics, metricNamesOf, shippedExpressions } from '../support/monitoring-files';
import { E2eCluster, randomToken, waitFor } from './cluster-harness';

/**
 * Observability of a real 3-node cluster: the commit latency histogram moves for REST, NATS,
 * queued and saga writes; HTTP requests are counted by route pattern; a request id follows a
 * write from a follower into the leader's log; elections and step-downs are logged with ballot
 * and reason; n3 serves /metrics and /api/docs on its admin port only; and every metric the
 * shipped dashboard and alerts read is exported by a running node.
 */
describe('observability on a 3-node cluster', () => {
  const run = randomToken();
  const prefix = `obs${run}`;
  const admin = localAdminEnv();
  let cluster: E2eCluster;
  let nats: NatsConnection;
  let adminPort = 0;
  let token = '';

  /** Main HTTP port of a node. */
  const portOf = (id: string): number => {
    const port = cluster.port(id);
    if (port === null) throw new Error(`node ${id} has no HTTP port`);
    return port;
  };

  async function call(id: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`http://127.0.0.1:${portOf(id)}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  }

  async function metrics(id: string): Promise<string> {
    const text = await cluster.metricsText(id);
    if (text === null) throw new Error(`node ${id} served no /metrics`);
    return text;
  }

  /** Sum of the samples of `name` whose labels include `labels`, over the nodes `ids`. */
  async function sampleSum(ids: readonly string[], name: string, labels: Record<string, string>): Promise<number> {
    let sum = 0;
    for (const id of ids) sum += sumSamples(await metrics(id), name, labels);
    return sum;
  }

  async function register(id: string, studentId: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await call(id, 'POST', '/api/students', { studentId, name: `Student ${studentId}`, className: '7a' }, headers);
    if (response.status !== 201) throw new Error(`register ${studentId} on ${id}: ${response.status} ${await response.text()}`);
    return response;
  }

  beforeAll(async () => {
    adminPort = await findFreePort();
    cluster = await E2eCluster.start({
      label: 'obs',
      // Every access line is written (no per-second cap): the test reads a given request's line.
      env: { API_SUBJECT_PREFIX: prefix, ACCESS_LOG_PER_SECOND: '100000' },
      nodeEnv: (id): Record<string, string> => (id === 'n3' ? { ADMIN_HTTP_PORT: String(adminPort) } : {}),
    });
    await cluster.waitForLeader();
    nats = (await cluster.appendClient()).nc;
    await waitFor(
      'admin login',
      async () => {
        const response = await fetch(`http://127.0.0.1:${portOf('n1')}/api/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD }),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status === 200) token = String(((await response.json()) as { accessToken: unknown }).accessToken);
        return response.status === 200;
      },
      30_000,
      100,
    );
  }, 90_000);

  afterAll(async () => {
    for (const id of cluster?.ids ?? []) cluster.resume(id);
    await cluster?.stop();
  }, 60_000);

  it('a REST, a NATS, a queued and a saga write each move the commit latency histogram of their source', async () => {
    await cluster.diagnose(async () => {
      const all = cluster.ids;
      const applied = (source: string, command: string) => sampleSum(all, 'behavior_commit_latency_seconds_count', { source, command, outcome: 'applied' });
      const before = {
        rest: await applied('rest', 'students.register'),
        nats: await applied('nats', 'students.register'),
        queue: await applied('queue', 'scores.modify'),
        saga: await applied('saga', 'saga.step'),
      };
      const a = `rest-${run}`;
      await register('n2', a);
      expect(await applied('rest', 'students.register')).toBe(before.rest + 1);

      okData(await requestPublic(nats, `${prefix}.cmd.students.register`, { studentId: `nats-${run}`, name: 'Nats Student', className: '7a' }, { Authorization: `Bearer ${token}` }, 15_000));
      expect(await applied('nats', 'students.register')).toBe(before.nats + 1);

      const queued = await call('n1', 'POST', '/api/scores/modify', { studentId: a, delta: 1, reason: 'queued' }, { Prefer: 'respond-async' });
      expect(queued.status).toBe(202);
      await waitFor('the queued write answered', async () => (await applied('queue', 'scores.modify')) === before.queue + 1, 20_000, 100);

      const batch = await call('n1', 'POST', '/api/scores/batch', { changes: [{ studentId: a, delta: 2 }], reason: 'batch' });
      expect(batch.status).toBe(202);
      await waitFor('saga steps applied', async () => (await applied('saga', 'saga.step')) > before.saga, 30_000, 100);
    });
  }, 120_000);

  it('counts an HTTP request under its route pattern, never its URL', async () => {
    await cluster.diagnose(async () => {
      const missing = `nobody-${run}`;
      const labels = { method: 'GET', route: '/api/students/:studentId', status: '404' };
      const before = sumSamples(await metrics('n1'), 'behavior_http_request_duration_seconds_count', labels);
      expect((await call('n1', 'GET', `/api/students/${missing}`)).status).toBe(404);
      const text = await metrics('n1');
      expect(sumSamples(text, 'behavior_http_request_duration_seconds_count', labels)).toBe(before + 1);
      expect(text).not.toContain(missing);
      // a path no controller serves is counted under the catch-all's pattern (or "(unmatched)")
      const notFound = async () => sumSamples(await metrics('n1'), 'behavior_http_request_duration_seconds_count', { status: '404' });
      const notFoundBefore = await notFound();
      expect((await call('n1', 'GET', `/api/no/such/path/${missing}`)).status).toBe(404);
      expect(await notFound()).toBe(notFoundBefore + 1);
      expect(await metrics('n1')).not.toContain(missing);
      // a body the parser refuses (413) never reaches a route, and is still counted and logged
      const tooLarge = async () => sumSamples(await metrics('n1'), 'behavior_http_request_duration_seconds_count', { method: 'POST', status: '413' });
      const tooLargeBefore = await tooLarge();
      const refused = await call('n1', 'POST', '/api/students', { studentId: 'big', name: 'x'.repeat(20_000), className: '7a' }, { 'X-Request-Id': `big-${run}` });
      expect(refused.status).toBe(413);
      expect(await tooLarge()).toBe(tooLargeBefore + 1);
      await waitFor('the 413 access line', () => logLines(cluster.logText('n1')).some((l) => l.event === 'http' && l.requestId === `big-${run}` && l.status === 413), 10_000, 100);
    });
  }, 60_000);

  it("carries a write's request id from a follower into the leader's log, and answers it", async () => {
    await cluster.diagnose(async () => {
      const leader = await cluster.waitForLeader();
      const follower = cluster.ids.find((id) => id !== leader)!;
      const requestId = `req-${run}-follower`;
      const answer = await register(follower, `fwd-${run}`, { 'X-Request-Id': requestId });
      expect(answer.headers.get('x-request-id')).toBe(requestId);
      await waitFor(`request ${requestId} in ${leader}'s log`, () => logLines(cluster.logText(leader)).some((l) => l.event === 'forwarded-command' && l.requestId === requestId), 10_000, 100);
      const line = logLines(cluster.logText(leader)).find((l) => l.requestId === requestId)!;
      expect(line).toMatchObject({ command: 'students.register', outcome: 'applied', node: leader });
      await waitFor(`access line of ${requestId} on ${follower}`, () => logLines(cluster.logText(follower)).some((l) => l.event === 'http' && l.requestId === requestId && l.status === 201), 10_000, 100);
      // A request without an id, or with one that could forge a log line, gets a fresh one.
      const made = (await call(follower, 'GET', '/api/cluster/status')).headers.get('x-request-id');
      expect(made).toMatch(/^[0-9a-f-]{36}$/);
      const replaced = (await call(follower, 'GET', '/api/cluster/status', undefined, { 'X-Request-Id': 'bad id\twith tab' })).headers.get('x-request-id');
      expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    });
  }, 60_000);

  it('serves /metrics and /api/docs on the admin port of n3 only; n1 keeps them on its main port', async () => {
    await cluster.diagnose(async () => {
      const scrape = await fetch(`http://127.0.0.1:${adminPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toMatch(/^behavior_build_info\{version="[^"]+",commit="[^"]+",node_version="v\d+[^"]*"\} 1$/m);
      expect((await fetch(`http://127.0.0.1:${adminPort}/api/docs`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${portOf('n3')}/metrics`, { signal: AbortSignal.timeout(10_000) })).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${portOf('n3')}/api/docs`, { signal: AbortSignal.timeout(10_000) })).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${portOf('n1')}/metrics`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${portOf('n1')}/api/docs`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    });
  }, 60_000);

  it('exports every metric the shipped dashboard and alert rules read', async () => {
    await cluster.diagnose(async () => {
      const named = new Set(shippedExpressions().flatMap((e) => metricNamesOf(e).exported));
      for (const id of ['n1', 'n3']) {
        const declared = declaredMetrics(await metrics(id));
        expect([...named].filter((name) => !declared.has(name))).toEqual([]);
      }
    });
  }, 60_000);

  it('logs the election with its ballot, and the old leader stepping down with a reason', async () => {
    await cluster.diagnose(async () => {
      const leader = await cluster.waitForLeader();
      const ballot = (await cluster.status(leader))!.ballot;
      const elected = logLines(cluster.logText(leader)).filter((l) => l.event === 'role-change' && l.role === 'leader');
      expect(elected.at(-1)).toMatchObject({ ballot, reason: 'won-election' });
      // when the leader freezes, the others elect a new one; when it wakes, it steps down
      const others = cluster.ids.filter((id) => id !== leader);
      cluster.pause(leader);
      let next = '';
      try {
        next = await cluster.waitForLeader(30_000, others);
      } finally {
        cluster.resume(leader);
      }
      const steppedDown = () => logLines(cluster.logText(leader)).find((l) => l.event === 'role-change' && l.previousRole === 'leader' && l.previousBallot === ballot);
      await waitFor(`${leader} logging its step-down`, () => steppedDown() !== undefined, 20_000, 100);
      expect(steppedDown()!.reason).toMatch(/^(lost-quorum|nack-higher-ballot|leader-higher-ballot|phase1a-higher-ballot|slot-chosen-by-higher-ballot)$/);
      const newBallot = (await cluster.status(next))!.ballot;
      expect(logLines(cluster.logText(next)).some((l) => l.event === 'role-change' && l.role === 'leader' && l.ballot === newBallot)).toBe(true);
    });
  }, 90_000);
});

/** The JSON lines of a node's log, parsed (other lines skipped). */
function logLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by a crash
    }
  }
  return lines;
}

/** Sum of the samples of `name` in a /metrics text whose labels include every one of `labels`. */
function sumSamples(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  // Label values may hold braces (`route="/{*path}"`): a value is skipped whole.
  for (const match of text.matchAll(new RegExp(`^${name}\\{((?:[^"}]|"[^"]*")*)\\} (\\S+)$`, 'gm'))) {
    const have = new Map([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(match[2]);
  }
  return sum;
}
