import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { localAdminEnv } from '../../src/cluster/node-process';
import { parseMysqlUrl } from '../../src/infra/mysql/mysql-url';
import { jsonOf, runCli } from '../support/cli';
import { snapshotLines } from '../support/snapshot-files';
import { E2eCluster, waitFor } from './cluster-harness';

interface BackupJson {
  ok: boolean;
  node: string;
  file: string;
  sha256: string;
  chosenWatermark: number;
  appliedSlot: number;
  eventPosition: number;
  rows: number;
  tables: { name: string; rows: number }[];
  notCopied: string[];
}

interface RestoreJson {
  ok: boolean;
  nodeId: string;
  database: string;
  chosenWatermark: number;
  eventPosition: number;
  tables: { name: string; rows: number }[];
  acceptorState: { promise: null; accepted: number };
  warnings: string[];
  next: { step: string; command: string }[];
}

/**
 * `backup` and `restore` as an operator runs them (`node dist/cli/main.js`) against a real node
 * process: exit codes 0, 1 and 2, the --json documents, progress on stderr, and refusals.
 */
describe('backup and restore CLI', () => {
  let cluster: E2eCluster;
  let env: Record<string, string>;
  let dir: string;
  const restored = (id: string) => `${cluster.db.names.get('n1')!.replace(/_n1$/, '')}_${id}`;
  const admin = localAdminEnv();

  async function query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const connection = await createConnection({ ...parseMysqlUrl(cluster.mysqlUrl), database: undefined });
    try {
      return (await connection.query(sql, params))[0] as Record<string, unknown>[];
    } finally {
      await connection.end();
    }
  }

  const databaseExists = async (name: string) => Number((await query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]))[0].n) === 1;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-cli-'));
    cluster = await E2eCluster.start({ label: 'bkcli', size: 1 });
    await cluster.waitForLeader();
    env = {
      CLUSTER_NODES: 'n1',
      CLUSTER_NAME: cluster.clusterName,
      MYSQL_URL: cluster.mysqlUrl,
      MYSQL_DATABASE_N1: cluster.db.names.get('n1')!,
      MYSQL_DATABASE_N9: restored('n9'),
      MYSQL_DATABASE_N8: restored('n8'),
    };
    let token = '';
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
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`http://127.0.0.1:${cluster.port('n1')}/api/students`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ studentId: `b-${i}`, name: `Student ${i}`, className: '9C' }),
        signal: AbortSignal.timeout(15_000),
      });
      expect(response.status).toBe(201);
    }
    await cluster.waitForConvergence();
  }, 120_000);

  afterAll(async () => {
    if (cluster) for (const id of ['n8', 'n9', 'n1x']) await query(`DROP DATABASE IF EXISTS \`${restored(id)}\``);
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('backup --json writes a whole file and summarises it on stdout, progress on stderr; never replaces a file', async () => {
    const file = join(dir, 'n1.ndjson.gz');
    const run = await runCli(['backup', '--node', 'n1', '--out', file, '--json'], env);
    expect(run.code).toBe(0);
    const summary = jsonOf(run) as unknown as BackupJson;
    const lines = snapshotLines(readFileSync(file));
    const trailer = lines[lines.length - 1] as { sha256: string; rows: Record<string, number> };
    expect(summary).toMatchObject({ ok: true, node: 'n1', file, sha256: trailer.sha256 });
    expect(summary.chosenWatermark).toBeGreaterThanOrEqual(11);
    expect(summary.appliedSlot).toBe(summary.chosenWatermark);
    expect(summary.eventPosition).toBeGreaterThanOrEqual(11);
    expect(Object.fromEntries(summary.tables.map((t) => [t.name, t.rows]))).toEqual(trailer.rows);
    expect(trailer.rows.event_log).toBe(summary.eventPosition);
    expect(trailer.rows.students).toBe(10);
    expect(summary.notCopied).toEqual(expect.arrayContaining(['paxos_promise', 'paxos_accepted']));
    expect(Object.keys(trailer.rows)).not.toContain('paxos_promise');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const progress = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as { event: string; table?: string; done?: number; total?: number });
    expect(progress).toContainEqual(expect.objectContaining({ event: 'progress', table: 'event_log', done: summary.eventPosition, total: summary.eventPosition }));

    const before = readFileSync(file);
    const again = await runCli(['backup', '--node', 'n1', '--out', file, '--json'], env);
    expect(again.code).toBe(2);
    expect(jsonOf(again)).toMatchObject({ ok: false, error: { kind: 'usage', message: expect.stringContaining('exists') } });
    expect(readFileSync(file)).toEqual(before);
  }, 60_000);

  it('backup in text mode reports per-table progress lines and what it wrote', async () => {
    const file = join(dir, 'text.ndjson.gz');
    const run = await runCli(['backup', '--out', file], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^n1: backed up \S+ to .*text\.ndjson\.gz \(\d+ bytes, sha256 [0-9a-f]{64}\)/);
    expect(run.stdout).toMatch(/not copied: paxos_promise, paxos_accepted/);
    expect(run.stderr).toMatch(/^n1 reading students: 10\/10 rows$/m);
  }, 60_000);

  it('backup refuses bad usage (exit 2) and reports an unreachable server (exit 1), writing nothing', async () => {
    const file = join(dir, 'never.ndjson.gz');
    expect((await runCli(['backup', '--node', 'n7 x', '--out', file], env)).code).toBe(2);
    // a well-formed id may name a node added online: one that never ran here has no database
    const neverRan = await runCli(['backup', '--node', 'n7', '--out', file], env);
    expect(neverRan.code).toBe(1);
    expect(neverRan.stderr).toMatch(/database \S+ of node n7 does not exist/);
    expect((await runCli(['backup', '--node', 'n1'], env)).code).toBe(2);
    expect((await runCli(['backup', '--out', file, '--bogus'], env)).code).toBe(2);
    const unreachable = await runCli(['backup', '--out', file, '--json'], { ...env, MYSQL_URL: 'mysql://root@127.0.0.1:1' });
    expect(unreachable.code).toBe(1);
    expect(jsonOf(unreachable)).toMatchObject({ ok: false, error: { kind: 'failure', message: expect.stringContaining('cannot reach MySQL') } });
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(false);
  }, 60_000);

  it('restore --json loads the file for a new node, leaves the acceptor empty and prints the next steps; a second restore is refused with the drop SQL', async () => {
    const file = join(dir, 'n1.ndjson.gz');
    const backup = snapshotLines(readFileSync(file));
    const trailer = backup[backup.length - 1] as { rows: Record<string, number> };
    const run = await runCli(['restore', '--node', 'n9', '--from', file, '--json'], env);
    expect(run.code).toBe(0);
    const result = jsonOf(run) as unknown as RestoreJson;
    expect(result).toMatchObject({ ok: true, nodeId: 'n9', database: restored('n9'), acceptorState: { promise: null, accepted: 0 }, warnings: [] });
    expect(Object.fromEntries(result.tables.map((t) => [t.name, t.rows]))).toEqual(trailer.rows);
    expect(result.next.map((n) => n.command)).toEqual([`NODE_ID=n9 MYSQL_DATABASE=${restored('n9')} npm start`, 'npm run cli -- cluster:add-node n9 --learner']);
    const counts = await query(
      `SELECT (SELECT COUNT(*) FROM \`${restored('n9')}\`.paxos_promise) AS promises, (SELECT COUNT(*) FROM \`${restored('n9')}\`.paxos_accepted WHERE ballot_round <> 0) AS accepts,
              (SELECT value FROM \`${restored('n9')}\`.paxos_meta WHERE name = 'chosen_watermark') AS watermark`,
    );
    expect(counts[0]).toEqual({ promises: 0, accepts: 0, watermark: result.chosenWatermark });

    const again = await runCli(['restore', '--node', 'n9', '--from', file, '--json'], env);
    expect(again.code).toBe(1);
    const drop = `DROP DATABASE \`${restored('n9')}\`;`;
    expect(jsonOf(again)).toMatchObject({ ok: false, error: { kind: 'failure', details: { reason: 'not-empty', dropSql: drop } } });
    const text = await runCli(['restore', '--node', 'n9', '--from', file], env);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`stop node n9 and drop it first:\n  ${drop}`);
  }, 60_000);

  it('restore warns when the id is a voting member, refuses a file cut short (exit 1) and bad usage (exit 2)', async () => {
    const file = join(dir, 'n1.ndjson.gz');
    const member = await runCli(['restore', '--node', 'n1', '--from', file, '--json'], { ...env, MYSQL_DATABASE_N1: restored('n1x') });
    expect(member.code).toBe(0);
    expect((jsonOf(member) as unknown as RestoreJson).warnings).toEqual([expect.stringContaining('must not vote as n1 again')]);

    const bytes = readFileSync(file);
    const cut = join(dir, 'cut.ndjson.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const refused = await runCli(['restore', '--node', 'n8', '--from', cut, '--json'], env);
    expect(refused.code).toBe(1);
    expect(jsonOf(refused)).toMatchObject({ ok: false, error: { kind: 'failure', message: expect.stringContaining('cut short') } });
    expect(await databaseExists(restored('n8'))).toBe(false);

    expect((await runCli(['restore', '--from', file], env)).code).toBe(2);
    expect((await runCli(['restore', '--node', 'n8'], env)).code).toBe(2);
    expect((await runCli(['restore', '--node', 'n8', '--from', join(dir, 'missing.ndjson.gz')], env)).code).toBe(2);
    expect((await runCli(['restore', '--node', 'bad id', '--from', file], env)).code).toBe(2);
    expect(await databaseExists(restored('n8'))).toBe(false);
  }, 60_000);
});
