import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Msg, type NatsConnection, connect, headers as natsHeaders } from 'nats';
import { findFreePorts } from '../../src/bench/ports';
import { NATS_PASSWORD_VARS, NatsProcess } from '../../src/chaos/nats-process';
import { inboxPrefixFor } from '../../src/infra/nats/connection';
import { DEFAULT_MYSQL_URL, DIST_MAIN, E2eCluster, REPO_ROOT, waitFor } from './cluster-harness';
import { RecordsProcess, SagaApi } from './saga-support';

/**
 * The shipped NATS lock-down (deploy/nats/accounts.conf) on a real nats-server and real nodes:
 * an API client cannot speak for a node on the protocol subjects, read anyone else's replies or
 * the raw event feed, or publish into an inbox; a node cannot speak for another; only the records
 * service answers archives; the benchmark's log.append is served by no node started without
 * BENCH_LOG_APPEND; a node caps the public requests it serves at once; and a node with a wrong
 * password is refused.
 */

/** A public reply. */
type Envelope = { ok: true; data: unknown; position?: number } | { ok: false; error: { statusCode: number; message: string; details?: unknown } };

/** accounts.conf grants the protocol subjects of the cluster named `behavior`. */
const CLUSTER = 'behavior';
/** A ballot round no real election reaches in this test: a message carrying it is a forgery. */
const FORGED_ROUND = 987_654_321;
/** Public requests each node serves at once in this test. */
const REQUESTS_MAX = 2;
/** How long the archive saga waits for the records service here. */
const RECORDS_TIMEOUT_MS = 4000;

describe('NATS locked down (deploy/nats/accounts.conf)', () => {
  let dir: string;
  let server: NatsProcess;
  let cluster: E2eCluster;
  let api: SagaApi;
  let records: RecordsProcess | undefined;
  const passwords = Object.fromEntries(NATS_PASSWORD_VARS.map((v) => [v, `pw${randomBytes(8).toString('hex')}`]));
  const password = (user: string): string => passwords[`NATS_${user.toUpperCase()}_PASSWORD`];
  const open: NatsConnection[] = [];

  async function as(user: string, pass = password(user)): Promise<{ nc: NatsConnection; errors: string[] }> {
    const nc = await connect({ servers: server.url, user, pass, name: `lockdown-${user}`, inboxPrefix: inboxPrefixFor(user), reconnect: false });
    open.push(nc);
    const errors: string[] = [];
    void (async () => {
      for await (const status of nc.status()) {
        const context = status.permissionContext;
        if (status.type === 'error') errors.push(`${String(status.data)} ${context?.operation} ${context?.subject}`);
      }
    })();
    return { nc, errors };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nats-lockdown-'));
    const [clientPort, clusterPort] = await findFreePorts(2);
    server = new NatsProcess({ name: 'lockdown', dir, clientPort, clusterPort, routePorts: [], passwords });
    server.writeConfig(); // nats-server -t accepts it
    await server.start();
    cluster = await E2eCluster.start({
      label: 'lock',
      natsUrl: server.url,
      // No BENCH_LOG_APPEND: these nodes are started as in production.
      env: { CLUSTER_NAME: CLUSTER, BENCH_LOG_APPEND: '', PUBLIC_REQUESTS_MAX: String(REQUESTS_MAX), RECORDS_TIMEOUT_MS: String(RECORDS_TIMEOUT_MS) },
      nodeEnv: (id) => ({ NATS_USER: id, NATS_PASSWORD: password(id) }),
    });
    await cluster.waitForLeader(30_000);
    api = new SagaApi(cluster);
    await api.login();
  }, 120_000);

  afterAll(async () => {
    await records?.stop();
    await Promise.allSettled(open.map((nc) => nc.close()));
    await cluster?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** A public request with `token`; the parsed envelope and the reply's headers. */
  async function call(nc: NatsConnection, subject: string, body: unknown, token = api.adminToken, extra: Record<string, string> = {}): Promise<{ body: Envelope; msg: Msg }> {
    const h = natsHeaders();
    if (token !== '') h.set('Authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(extra)) h.set(name, value);
    const msg = await nc.request(subject, Buffer.from(JSON.stringify(body)), { timeout: 15_000, headers: h });
    return { body: JSON.parse(Buffer.from(msg.data).toString()) as Envelope, msg };
  }

  /** Violations the server reported to a client so far, after a round trip and a pause for the async errors. */
  async function violations(client: { nc: NatsConnection; errors: string[] }): Promise<string> {
    await client.nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    return client.errors.join('\n');
  }

  it('nodes using their own users form a cluster and serve the public API to the api user', async () => {
    const { nc } = await as('api');
    // Several requests, so that followers hand some on to the leader and relay its answers.
    for (let i = 0; i < 6; i++) {
      const { body } = await call(nc, 'behavior.cmd.students.register', { studentId: `lk-${i}`, name: `Locked ${i}`, className: 'lk' });
      expect(body).toMatchObject({ ok: true, data: { studentId: `lk-${i}` } });
    }
  }, 60_000);

  it("an API client cannot read another client's replies or a node's, nor subscribe to the raw event feed", () =>
    cluster.diagnose(async () => {
      const spy = await as('api');
      const seen: string[] = [];
      // A refused subscription's callback gets the error and no message.
      const listen = (subject: string) =>
        spy.nc.subscribe(subject, { callback: (e, m) => e === null && seen.push(`${m.subject} ${Buffer.from(m.data).toString().slice(0, 80)}`) });
      for (const subject of ['_INBOX.>', '_INBOX_operator.>', '_INBOX_integration.>', '_INBOX_n1.>', '_INBOX_n2.>', '_INBOX_n3.>', 'behavior.events.>', '>']) listen(subject);
      await spy.nc.flush();
      // Another client kind asks each node for its status; an integration asks a query; the api
      // client's commands make events and are handed on between nodes.
      const operator = await as('operator');
      for (const id of cluster.ids) {
        const reply = await operator.nc.request(`behavior.internal.${CLUSTER}.${id}.status`, new Uint8Array(), { timeout: 10_000 });
        expect(JSON.parse(Buffer.from(reply.data).toString())).toMatchObject({ ok: true });
      }
      await spy.nc.flush();
      expect(seen).toEqual([]);
      const integration = await as('integration');
      const feed: string[] = [];
      integration.nc.subscribe('behavior.events.>', { callback: (_e, m) => feed.push(m.subject) });
      await integration.nc.flush();
      expect((await call(integration.nc, 'behavior.query.students.list', {})).body).toMatchObject({ ok: true });
      const writer = await as('api');
      for (let i = 0; i < 4; i++) expect((await call(writer.nc, 'behavior.cmd.scores.modify', { studentId: 'lk-0', delta: 1, reason: `spy ${i}` })).body).toMatchObject({ ok: true });
      const deadline = Date.now() + 10_000;
      while (feed.filter((s) => s === 'behavior.events.student.ScoreModified').length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // The trusted integration user hears the feed; the api client heard nothing at all.
      expect(feed.filter((s) => s === 'behavior.events.student.ScoreModified')).toHaveLength(4);
      const refused = await violations(spy);
      expect(seen).toEqual([]);
      for (const subject of ['_INBOX.>', '_INBOX_operator.>', '_INBOX_n1.>', 'behavior.events.>', '>']) {
        expect(refused).toContain(`PERMISSIONS_VIOLATION subscription ${subject}`);
      }
    }),
    90_000,
  );

  it("an API client cannot publish into a node's inbox, nor answer in the records service's place", () =>
    cluster.diagnose(async () => {
      const forger = await as('api');
      forger.nc.subscribe('records.archive.store');
      for (const subject of ['_INBOX.fwd.n1.x.1', '_INBOX_n1.fwd.x.1', '_INBOX_n2.abc', '_INBOX_records.x', 'behavior.internal.behavior.n1.command']) {
        forger.nc.publish(subject, Buffer.from(JSON.stringify({ ok: true, data: { archiveId: 'x' } })));
      }
      const refused = await violations(forger);
      expect(refused).toContain('PERMISSIONS_VIOLATION subscription records.archive.store');
      for (const subject of ['_INBOX.fwd.n1.x.1', '_INBOX_n1.fwd.x.1', '_INBOX_n2.abc', 'behavior.internal.behavior.n1.command']) {
        expect(refused).toContain(`PERMISSIONS_VIOLATION publish ${subject}`);
      }
      // Even the records service's own user may only answer requests it received.
      const rogue = await as('records');
      rogue.nc.publish('_INBOX.x', Buffer.from('{"ok":true}'));
      rogue.nc.publish('_INBOX_n1.x', Buffer.from('{"ok":true}'));
      const refusedRecords = await violations(rogue);
      expect(refusedRecords).toContain('PERMISSIONS_VIOLATION publish _INBOX.x');
      expect(refusedRecords).toContain('PERMISSIONS_VIOLATION publish _INBOX_n1.x');
    }),
    60_000,
  );

  it('a forged records answer does not advance an archive; the records service, answering as its user, does', () =>
    cluster.diagnose(async () => {
      const { nc } = await as('api');
      expect((await call(nc, 'behavior.cmd.scores.modify', { studentId: 'lk-1', delta: 5, reason: 'before archive' })).body).toMatchObject({ ok: true });
      // No records service runs: only the forger answers, with the answer the service would give.
      const forger = await as('api');
      const forged = Buffer.from(JSON.stringify({ ok: true, data: { archiveId: 'any', students: 6 } }));
      const forging = setInterval(() => {
        for (const id of cluster.ids) forger.nc.publish(`_INBOX_${id}.x`, forged);
        forger.nc.publish('_INBOX.x', forged);
      }, 50);
      let sagaId: string;
      try {
        const started = await call(nc, 'behavior.cmd.archives.start', { semester: 'lock-1', className: 'lk' });
        expect(started.body).toMatchObject({ ok: true });
        sagaId = String((started.body as { data: { sagaId: string } }).data.sagaId);
        const view = await api.waitForSaga(sagaId, (v) => v.status === 'completed' || v.status === 'compensated', RECORDS_TIMEOUT_MS + 30_000);
        expect(view.status).toBe('compensated');
        expect((view.failure as { reasons: { code: string }[] }).reasons[0].code).toBe('timeout');
        const lk1 = await api.expect(200, null, 'GET', `/api/students/lk-1?minPosition=${String(view.position)}`);
        expect(lk1).toMatchObject({ score: 105, frozen: false });
      } finally {
        clearInterval(forging);
      }
      expect(await violations(forger)).toContain('PERMISSIONS_VIOLATION publish _INBOX_n1.x');
      // The records service under its own user answers through allow_responses: the archive completes.
      records = new RecordsProcess(server.url, 'records.archive.store', { NATS_USER: 'records', NATS_PASSWORD: password('records') });
      await records.start();
      const again = await call(nc, 'behavior.cmd.archives.start', { semester: 'lock-2', className: 'lk' });
      expect(again.body).toMatchObject({ ok: true });
      const done = await api.waitForSaga(String((again.body as { data: { sagaId: string } }).data.sagaId), (v) => v.status === 'completed' || v.status === 'compensated', 60_000);
      expect(done.status).toBe('completed');
    }),
    120_000,
  );

  it("events.read over NATS: a student's token sees only that student's events", () =>
    cluster.diagnose(async () => {
      const { nc } = await as('api');
      expect((await call(nc, 'behavior.cmd.users.create', { username: 'lk-student', password: 'student-pass-1', role: 'student', displayName: 'Lk', studentId: 'lk-2' })).body).toMatchObject({ ok: true });
      // Every node learns the new credentials from the log: retry the login until the one asked has.
      let student = '';
      await waitFor('the student logs in', async () => {
        const login = await api.call(null, 'POST', '/api/auth/login', { username: 'lk-student', password: 'student-pass-1' }, '');
        if (login.status === 200) student = String(login.body.accessToken);
        return login.status === 200;
      }, 20_000, 100);
      const last = await call(nc, 'behavior.cmd.scores.modify', { studentId: 'lk-2', delta: 2, reason: 'mine' });
      expect(last.body).toMatchObject({ ok: true });
      const position = (last.body as { position: number }).position;
      type Event = { position: number; streamType: string; streamId: string; type: string };
      const readAll = async (): Promise<Event[]> => {
        const events: Event[] = [];
        let from = 0;
        for (let page = 0; page < 50; page++) {
          const read = await call(nc, 'behavior.query.events.read', { fromPosition: from, limit: 50 }, student);
          expect(read.body).toMatchObject({ ok: true });
          const data = (read.body as { data: { events: Event[]; nextPosition: number; head: number } }).data;
          events.push(...data.events);
          if (data.nextPosition > data.head) break;
          from = data.nextPosition;
        }
        return events;
      };
      // Any node answers; read until the one asked has applied the last write.
      let events: Event[] = [];
      await waitFor('events.read to cover the last write', async () => {
        events = await readAll();
        return events.some((e) => e.position === position);
      }, 20_000, 100);
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['StudentRegistered', 'ScoreModified']));
      expect(events.filter((e) => e.streamType !== 'student' || e.streamId !== 'lk-2')).toEqual([]);
      // The admin's read of the same range has other students' and users' events.
      const all = await call(nc, 'behavior.query.events.read', { fromPosition: 0, limit: 1000 });
      const allEvents = (all.body as { data: { events: Event[] } }).data.events;
      expect(allEvents.some((e) => e.streamId === 'lk-0')).toBe(true);
    }),
    60_000,
  );

  it('the benchmark log.append is not served without BENCH_LOG_APPEND, and no API client may publish it', async () => {
    const bench = await as('bench');
    const answer = await bench.nc
      .request('behavior.cmd.log.append', Buffer.from(JSON.stringify({ stream: 's1', data: 'hello' })), { timeout: 5000 })
      .then((m) => Buffer.from(m.data).toString())
      .catch((error: unknown) => `error ${(error as { code?: string }).code ?? String(error)}`);
    expect(answer).toBe('error 503'); // no responders
    const client = await as('api');
    client.nc.publish('behavior.cmd.log.append', Buffer.from(JSON.stringify({ stream: 's1', data: 'hello' })));
    expect(await violations(client)).toContain('PERMISSIONS_VIOLATION publish behavior.cmd.log.append');
  }, 30_000);

  it('a node serves at most PUBLIC_REQUESTS_MAX public requests at once: 503 with Retry-After beyond', () =>
    cluster.diagnose(async () => {
      const { nc } = await as('api');
      // Reads that wait (up to 5 s) for a log position far ahead keep their node busy.
      const waiting = Array.from({ length: 4 * REQUESTS_MAX * cluster.ids.length }, () =>
        call(nc, 'behavior.query.students.get', { studentId: 'lk-0', minPosition: 1_000_000_000 }),
      );
      const answers = await Promise.all(waiting);
      const busy = answers.filter(({ body }) => !body.ok && /at once/.test(body.error.message));
      // At most REQUESTS_MAX per node were admitted; every other one was turned away at once.
      expect(busy.length).toBeGreaterThanOrEqual(answers.length - REQUESTS_MAX * cluster.ids.length);
      for (const { body, msg } of busy) {
        expect(body).toMatchObject({ ok: false, error: { statusCode: 503, details: { retryAfter: 1 } } });
        expect(msg.headers?.get('Retry-After')).toBe('1');
      }
      // Once they are answered the nodes serve again.
      expect((await call(nc, 'behavior.query.students.get', { studentId: 'lk-0' })).body).toMatchObject({ ok: true });
    }),
    60_000,
  );

  it('a Behavior-Forward-Hops header that is not a small integer is refused', async () => {
    const { nc } = await as('api');
    for (const hops of ['many', '-3', '1000000']) {
      const { body } = await call(nc, 'behavior.query.students.list', {}, api.adminToken, { 'Behavior-Forward-Hops': hops });
      expect(body).toMatchObject({ ok: false, error: { statusCode: 400 } });
    }
    expect((await call(nc, 'behavior.query.students.list', {}, api.adminToken, { 'Behavior-Forward-Hops': '1' })).body).toMatchObject({ ok: true });
  }, 30_000);

  it('forged Phase2b, Commit (chosen) and Phase2a from an API client are refused by the server and change nothing', () =>
    cluster.diagnose(async () => {
      const client = await as('api');
      for (let i = 0; i < 5; i++) {
        const { body } = await call(client.nc, 'behavior.cmd.scores.modify', { studentId: 'lk-3', delta: 1, reason: `v${i}` });
        expect(body).toMatchObject({ ok: true });
      }
      await cluster.waitForConvergence();
      const before = await Promise.all(cluster.ids.map((id) => cluster.db.eventLog(id)));
      // A node's user sees what is addressed to it: the forgeries must never arrive there.
      const spy = await as('n1');
      const seen: string[] = [];
      const sub = spy.nc.subscribe(`paxos.${CLUSTER}.*.n1.>`, { callback: (_e, m) => seen.push(Buffer.from(m.data).toString()) });
      await spy.nc.flush();
      const { nc, errors } = await as('api');
      const head = Math.max(...before.map((log) => log.length));
      const ballot = { round: FORGED_ROUND, nodeId: 'n2' };
      for (const slot of [head, head + 1, head + 2]) {
        nc.publish(`paxos.${CLUSTER}.n2.n1.Phase2b`, Buffer.from(JSON.stringify({ type: 'Phase2b', ballot, slot })));
        nc.publish(`paxos.${CLUSTER}.n3.n1.Phase2b`, Buffer.from(JSON.stringify({ type: 'Phase2b', ballot: { round: FORGED_ROUND, nodeId: 'n3' }, slot })));
      }
      nc.publish(`paxos.${CLUSTER}.n2.n1.Commit`, Buffer.from(JSON.stringify({ type: 'Commit', ballot, chosenWatermark: head + 1000 })));
      nc.publish(`paxos.${CLUSTER}.n2.n1.Phase2a`, Buffer.from(JSON.stringify({ type: 'Phase2a', ballot, slot: head + 1, value: { kind: 'noop' }, chosenWatermark: head + 1 })));
      await nc.flush().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1500));
      expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION publish paxos\.behavior\.n2\.n1\.Phase2b/);
      // The spy hears the real peers (heartbeats or their replies), so it would have heard a forgery.
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((m) => m.includes(String(FORGED_ROUND)))).toEqual([]);
      sub.unsubscribe();
      await cluster.waitForConvergence();
      const after = await Promise.all(cluster.ids.map((id) => cluster.db.eventLog(id)));
      expect(after).toEqual(before);
      const statuses = await cluster.statuses();
      for (const status of statuses.values()) expect(status.ballot).not.toContain(String(FORGED_ROUND));
    }),
    90_000,
  );

  it('a node may not speak for another node, nor subscribe to what is addressed to another', async () => {
    const { nc, errors } = await as('n1');
    nc.publish(`paxos.${CLUSTER}.n2.n3.Phase2b`, Buffer.from('{}'));
    nc.subscribe(`paxos.${CLUSTER}.*.n2.>`);
    await nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION publish paxos\.behavior\.n2\.n3\.Phase2b/);
    expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION subscription paxos\.behavior\.\*\.n2\.>/);
  }, 30_000);

  it('the api user may not subscribe to the protocol', async () => {
    const { nc, errors } = await as('api');
    nc.subscribe('paxos.>');
    await nc.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(errors.join('\n')).toMatch(/PERMISSIONS_VIOLATION subscription paxos\.>/);
  }, 30_000);

  it('a node with a wrong password is refused and does not start', async () => {
    await expect(as('n1', 'wrong-password')).rejects.toThrow(/authorization/i);
    const database = `behavior_e2e_lock_wrongpw_${randomBytes(4).toString('hex')}`;
    const child = spawn(process.execPath, [DIST_MAIN], {
      cwd: REPO_ROOT,
      env: {
        ...process.env, NODE_ID: 'n1', CLUSTER_NODES: 'n1,n2,n3', CLUSTER_NAME: CLUSTER, NATS_URL: server.url,
        NATS_USER: 'n1', NATS_PASSWORD: 'wrong-password', MYSQL_URL: DEFAULT_MYSQL_URL, MYSQL_DATABASE: database,
        HTTP_PORT: String((await findFreePorts(1))[0]), LOG_FORMAT: 'json', JWT_SECRET: randomBytes(48).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    await cluster.db.dropDatabase(database);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(/authorization/i);
  }, 45_000);
});
