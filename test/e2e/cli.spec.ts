import { createConnection } from 'mysql2/promise';
import { localAdminEnv } from '../../src/cluster/node-process';
import { findFreePort } from '../../src/bench/ports';
import { parseMysqlUrl } from '../../src/infra/mysql/mysql-url';
import { dumpReadModels, foldReadModels, loggedEvent, readEventRows, readModelDb } from '../../src/projections';
import { createKysely } from '../../src/infra/mysql/database';
import { plain } from '../integration/projections/projection-test-support';
import { jsonOf, runCli, startCli } from '../support/cli';
import { E2eCluster, waitFor } from './cluster-harness';

/**
 * The operations CLI against a real 3-node cluster: cluster:status over NATS, projections:status,
 * log:verify on agreeing logs and on a planted divergence, a rebuild on a node while it takes
 * writes and serves reads, and the exit codes and messages of bad usage and unreachable servers.
 */
describe('operations CLI on a 3-node cluster', () => {
  let cluster: E2eCluster;
  let env: Record<string, string>;
  let token = '';
  const admin = localAdminEnv();

  async function http(node: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`http://127.0.0.1:${cluster.port(node)}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  }

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'cli' });
    await cluster.waitForLeader();
    env = {
      CLUSTER_NODES: cluster.ids.join(','),
      CLUSTER_NAME: cluster.clusterName,
      NATS_URL: cluster.natsUrl,
      MYSQL_URL: cluster.mysqlUrl,
      ...Object.fromEntries(cluster.ids.map((id) => [`MYSQL_DATABASE_${id.toUpperCase()}`, cluster.db.names.get(id)!])),
    };
    await waitFor(
      'admin login',
      async () => {
        const response = await fetch(`http://127.0.0.1:${cluster.port('n1')}/api/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD }),
        });
        if (response.status !== 200) return false;
        token = String(((await response.json()) as { accessToken: string }).accessToken);
        return true;
      },
      20_000,
      100,
    );
    for (let i = 0; i < 30; i += 1) {
      const registered = await http('n1', 'POST', '/api/students', { studentId: `c-${i}`, name: `Student ${i}`, className: '7A' });
      expect(registered.status).toBe(201);
    }
    for (let i = 0; i < 60; i += 1) expect((await http(`n${1 + (i % 3)}`, 'POST', '/api/scores/modify', { studentId: `c-${i % 30}`, delta: 1, reason: 'helped' })).status).toBe(200);
    await cluster.waitForConvergence();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('cluster:status shows the leader, ballot, slots, members and proposals; --json carries the documented fields', async () => {
    const text = await runCli(['cluster:status'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^leader n\d, ballot \d+\.n\d, chosen slot \d+/);
    const run = await runCli(['cluster:status', '--json'], env);
    expect(run.code).toBe(0);
    const status = jsonOf(run) as { ok: boolean; leaderId: string; leader: Record<string, unknown>; nodes: { nodeId: string; status: unknown }[] };
    expect(status.ok).toBe(true);
    expect(cluster.ids).toContain(status.leaderId);
    for (const field of ['nodeId', 'role', 'leaderId', 'ballot', 'chosenSlot', 'appliedSlot', 'members', 'proposals', 'projections']) expect(status.leader).toHaveProperty(field);
    expect(status.leader.role).toBe('leader');
    expect(status.leader.proposals).toEqual(expect.objectContaining({ chosen: expect.any(Number), failed: expect.any(Number), inFlight: expect.any(Number) }));
    expect(status.nodes.map((n) => n.nodeId)).toEqual(cluster.ids);
    expect(status.nodes.every((n) => n.status !== null)).toBe(true);
  }, 60_000);

  it('projections:status gives each projection position, head and lag per node', async () => {
    const run = await runCli(['projections:status', '--json'], env);
    expect(run.code).toBe(0);
    const result = jsonOf(run) as { ok: boolean; nodes: { node: string; status: { head: number; projections: { name: string; checkpoint: string; position: number; lag: number }[] } }[] };
    expect(result.ok).toBe(true);
    expect(result.nodes.map((n) => n.node)).toEqual(cluster.ids);
    for (const node of result.nodes) {
      expect(node.status.head).toBeGreaterThanOrEqual(91);
      expect(node.status.projections.map((p) => p.name)).toEqual(['students', 'score_records', 'applications', 'users', 'archives', 'reasons', 'student_daily_scores', 'credentials']);
      for (const p of node.status.projections) expect(p.lag).toBe(node.status.head - p.position);
    }
    const one = await runCli(['projections:status', '--node', 'n2'], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^node\s+projection\s+checkpoint\s+position\s+head\s+lag/);
    expect(one.stdout).not.toMatch(/^n1 /m);
  }, 60_000);

  it('log:verify reports agreement on a healthy cluster and the first divergent position planted in one copy', async () => {
    const healthy = await runCli(['log:verify', '--json', '--range', '16'], env);
    expect(healthy.code).toBe(0);
    const agree = jsonOf(healthy) as { ok: boolean; agreeUpTo: number; common: number; divergence: unknown; heads: Record<string, number> };
    expect(agree).toMatchObject({ ok: true, divergence: null });
    expect(agree.agreeUpTo).toBe(agree.common);
    expect(agree.agreeUpTo).toBeGreaterThanOrEqual(91);

    const planted = 37;
    const connection = await createConnection({ ...parseMysqlUrl(cluster.mysqlUrl), database: cluster.db.names.get('n3')! });
    try {
      await connection.query(`UPDATE event_log SET data = REPLACE(data, '"delta":1', '"delta":9') WHERE position = ?`, [planted]);
      const [rows] = await connection.query('SELECT data FROM event_log WHERE position = ?', [planted]);
      expect(String((rows as { data: string }[])[0].data)).toContain('"delta":9');
      const run = await runCli(['log:verify', '--json', '--range', '16'], env);
      expect(run.code).toBe(1);
      const verdict = jsonOf(run) as { ok: boolean; agreeUpTo: number; divergence: { position: number; rows: Record<string, { digest: string } | null> } };
      expect(verdict.ok).toBe(false);
      expect(verdict.divergence.position).toBe(planted);
      expect(verdict.agreeUpTo).toBe(planted - 1);
      expect(verdict.divergence.rows.n1!.digest).toBe(verdict.divergence.rows.n2!.digest);
      expect(verdict.divergence.rows.n3!.digest).not.toBe(verdict.divergence.rows.n1!.digest);
      const text = await runCli(['log:verify'], env);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(`the logs diverge at position ${planted}`);
    } finally {
      await connection.query(`UPDATE event_log SET data = REPLACE(data, '"delta":9', '"delta":1') WHERE position = ?`, [planted]);
      await connection.end();
    }
    expect((await runCli(['log:verify'], env)).code).toBe(0);
  }, 60_000);

  it('projections:rebuild on a node that takes writes and serves reads: reads never fail, the tables end equal to the fold', async () => {
    let writing = true;
    const writeStatuses: number[] = [];
    const writer = (async () => {
      for (let k = 0; writing && k < 2000; k += 1) writeStatuses.push((await http(`n${1 + (k % 3)}`, 'POST', '/api/scores/modify', { studentId: `c-${k % 30}`, delta: k % 2 === 0 ? 1 : -1, reason: 'during rebuild' })).status);
    })();
    let reading = true;
    const reads: { status: number; total: number }[] = [];
    const reader = (async () => {
      for (let k = 0; reading && k < 5000; k += 1) {
        const r = await http('n2', 'GET', '/api/students?pageSize=100');
        reads.push({ status: r.status, total: Number(r.body.total) });
      }
    })();
    await waitFor('some writes during the rebuild', () => writeStatuses.length >= 5, 20_000);
    const rebuild = startCli(['projections:rebuild', '--node', 'n2', '--batch', '20'], env);
    const run = await rebuild.done;
    writing = false;
    await writer;
    reading = false;
    await reader;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^n2: rebuilt students, score_records, applications, users, archives, reasons, student_daily_scores up to position \d+/);
    expect(writeStatuses.filter((s) => s !== 200)).toEqual([]);
    expect(reads.length).toBeGreaterThan(3);
    expect(reads.filter((r) => r.status !== 200)).toEqual([]);
    expect(reads.every((r) => r.total === 30)).toBe(true);

    await cluster.waitForConvergence();
    // The log position, not the slot waitForConvergence returns: a slot may hold no event (a
    // re-sent duplicate, a no-op), so under load the slot runs ahead of the last position.
    const head = (await cluster.status('n2'))!.logPosition;
    const db = readModelDb(createKysely(cluster.mysqlUrl, cluster.db.names.get('n2')!, 2));
    try {
      await waitFor('n2 projector at the head', async () => {
        const row = await db.selectFrom('projection_checkpoints').select('position').where('name', '=', 'read-models').executeTakeFirst();
        return Number(row?.position) >= head;
      }, 20_000);
      const events = (await readEventRows(db, 0, 1_000_000)).map(loggedEvent);
      expect(plain(await dumpReadModels(db))).toEqual(plain(foldReadModels(events)));
    } finally {
      await db.destroy();
    }
  }, 120_000);

  it('bad usage exits 2, --help exits 0, unreachable servers exit 1 naming the URL', async () => {
    expect((await runCli(['projections:status', '--bogus'], env)).code).toBe(2);
    expect((await runCli(['no-such-command'], env)).code).toBe(2);
    expect((await runCli(['projections:rebuild', '--node', 'n9 x'], env)).code).toBe(2);
    // a well-formed id may name a node added online: one that never ran here has no database
    const neverRan = await runCli(['projections:rebuild', '--node', 'n9'], env);
    expect(neverRan.code).toBe(1);
    expect(neverRan.stderr).toMatch(/database \S+ of node n9 does not exist/);
    expect((await runCli(['projections:rebuild', '--projection', 'nope'], env)).code).toBe(2);
    expect((await runCli(['projections:rebuild', '--batch', 'many'], env)).code).toBe(2);
    for (const command of ['projections:rebuild', 'projections:status', 'cluster:status', 'log:verify']) {
      const help = await runCli([command, '--help'], env);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--json');
    }
    const closedPort = await findFreePort();
    const noMysql = await runCli(['log:verify', '--json'], { ...env, MYSQL_URL: `mysql://root@127.0.0.1:${closedPort}` });
    expect(noMysql.code).toBe(1);
    expect(noMysql.stderr).toContain(`127.0.0.1:${closedPort}`);
    expect(jsonOf(noMysql)).toMatchObject({ ok: false, error: { kind: 'failure' } });
    const noNats = await runCli(['cluster:status'], { ...env, NATS_URL: `nats://127.0.0.1:${closedPort}` });
    expect(noNats.code).toBe(1);
    expect(noNats.stderr).toContain(`cannot reach NATS at nats://127.0.0.1:${closedPort}`);
    const noDatabase = await runCli(['projections:status', '--node', 'n1'], { ...env, MYSQL_DATABASE_N1: 'behavior_no_such_database' });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stdout).toContain('database behavior_no_such_database of node n1 does not exist');
  }, 60_000);
});
