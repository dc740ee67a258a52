import { join } from 'node:path';
import { jsonOf, runCli } from '../support/cli';
import { callJson } from '../support/http-call';
import { type AppendClient, E2eCluster, report, retryPolicy, rowsByContent, waitFor } from './cluster-harness';

/**
 * Membership changes on real processes while writes go on: a node started outside the founding
 * members is added (learner, caught up, promoted), the leader itself is removed (it hands over),
 * another voter is replaced by a new node, and a node whose database was lost comes back under a
 * new incarnation, votes on nothing, and is re-added by `cluster:replace-node <id> <id>`. Every
 * acknowledged write is in every member's log exactly once.
 */
describe('cluster membership on real processes', () => {
  let cluster: E2eCluster;
  let client: AppendClient;
  let env: Record<string, string>;
  const acked = new Set<string>();
  let writing = true;
  let writer: Promise<void> = Promise.resolve();
  let writeErrors: string[] = [];

  const cli = (...args: string[]) => runCli(args, env, 180_000);
  /** A CLI run's exit code, with what it printed when it is not 0 (so a failure says why). */
  const outcome = (run: { code: number | null; stdout: string; stderr: string }) =>
    run.code === 0 ? { code: 0 } : { code: run.code, stdout: run.stdout.slice(-2000), stderr: run.stderr.slice(-4000) };
  /** The voters as the leader of the current members says. */
  const voters = async (): Promise<string[]> => {
    const leader = await cluster.waitForLeader(30_000, [...members]);
    const status = await cluster.status(leader);
    return [...(status as unknown as { configuration: { voters: string[] } }).configuration.voters].sort();
  };
  const members = new Set(['n1', 'n2', 'n3']);
  /** A node's readiness probe: its status code and whether it counts itself a serving member. */
  const readiness = async (id: string): Promise<{ status: number; member: unknown }> => {
    const answer = await callJson(`http://127.0.0.1:${cluster.port(id)}/health/ready`, 'GET', {});
    return { status: answer.status, member: (answer.body.details as Record<string, { status: string }> | undefined)?.member?.status };
  };

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'member', size: 6, env: { CLUSTER_NODES: 'n1,n2,n3' }, spawnAtStart: ['n1', 'n2', 'n3'] });
    await cluster.waitForLeader(30_000, ['n1', 'n2', 'n3']);
    env = {
      CLUSTER_NODES: 'n1,n2,n3',
      CLUSTER_NAME: cluster.clusterName,
      NATS_URL: cluster.natsUrl,
      MYSQL_URL: cluster.mysqlUrl,
      ...Object.fromEntries(cluster.ids.map((id) => [`MYSQL_DATABASE_${id.toUpperCase()}`, cluster.db.names.get(id) as string])),
    };
    client = await cluster.appendClient();
    const policy = retryPolicy({ deadlineMs: 120_000, attemptsMax: 2000 });
    writer = (async () => {
      for (let i = 0; writing && i < 100_000; i++) {
        const key = `w${i}`;
        try {
          await client.appendUntilOk(key, { stream: `s${i % 4}`, data: { key } }, policy);
          acked.add(key);
        } catch (error) {
          writeErrors.push(String(error));
        }
      }
    })();
  }, 120_000);

  afterAll(async () => {
    writing = false;
    await writer.catch(() => undefined);
    await client?.close();
    await cluster?.stop();
  });

  const ackedBefore = async (count: number): Promise<void> => {
    const from = acked.size;
    await waitFor(`${count} more writes acknowledged`, () => acked.size >= from + count, 60_000, 50);
  };

  it('adds a node started outside the founding members: a learner that catches up, then a voter', async () => {
    await ackedBefore(20);
    await cluster.spawn('n4');
    // Started but not added: no load balancer should send it clients (its status page needs a login it cannot serve yet).
    await waitFor('n4 answering its readiness probe', async () => cluster.port('n4') !== null && (await readiness('n4').catch(() => null)) !== null, 60_000, 200);
    expect(await readiness('n4')).toEqual({ status: 503, member: 'down' });
    const run = await cli('cluster:add-node', 'n4', '--json');
    expect(outcome(run)).toEqual({ code: 0 });
    // progress on stderr (JSON lines with --json): each step asked, then in force
    const notes = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as { step: string; state?: string });
    expect(notes.filter((n) => n.state === 'in-force').map((n) => n.step)).toEqual(['add-learner', 'promote']);
    const result = jsonOf(run) as { ok: boolean; steps: { op: string; nodeId: string }[] };
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.op)).toEqual(['add-learner', 'promote']);
    members.add('n4');
    expect(await voters()).toEqual(['n1', 'n2', 'n3', 'n4']);
    await waitFor('n4 ready as a member', async () => (await readiness('n4')).status === 200, 30_000, 200);
    await ackedBefore(20);
  }, 240_000);

  it('removes the leader: it hands over first and writes go on', async () => {
    const leader = await cluster.waitForLeader(30_000, [...members]);
    const run = await cli('cluster:remove-node', leader);
    expect(outcome(run)).toEqual({ code: 0 });
    expect(run.stdout).toMatch(new RegExp(`remove ${leader}: slot \\d+`));
    members.delete(leader);
    const next = await cluster.waitForLeader(30_000, [...members]);
    expect(next).not.toBe(leader);
    expect(await voters()).toEqual([...members].sort());
    // Removed, it still runs, but says it is no member: load balancers drop it.
    await waitFor(`${leader} not ready once removed`, async () => (await readiness(leader)).member === 'down', 30_000, 200);
    expect((await readiness(leader)).status).toBe(503);
    await ackedBefore(20);
  }, 240_000);

  it('replaces a voter by a new node, which starts from a peer snapshot', async () => {
    // n5 starts on an empty database while its peers have chosen slots: it copies a snapshot first.
    cluster.reconfigure('n5', { env: { SNAPSHOT_CATCHUP_MIN_SLOTS: '1' } });
    await cluster.spawn('n5');
    const old = (await voters()).find((id) => id !== 'n4') as string;
    const run = await cli('cluster:replace-node', old, 'n5', '--json');
    expect(outcome(run)).toEqual({ code: 0 });
    expect((jsonOf(run) as { steps: { op: string; nodeId: string }[] }).steps.map((s) => `${s.op} ${s.nodeId}`)).toEqual(['add-learner n5', 'promote n5', `remove ${old}`]);
    members.delete(old);
    members.add('n5');
    expect(await voters()).toContain('n5');
    expect(await voters()).not.toContain(old);
    expect(cluster.logText('n5')).toMatch(/restored n\d's snapshot up to slot \d+/);
    await ackedBefore(20);
  }, 240_000);

  it('a voter whose database was lost comes back under a new incarnation, votes on nothing, and is re-added', async () => {
    const leader = await cluster.waitForLeader(30_000, [...members]);
    const lost = [...members].find((id) => id !== leader) as string;
    const before = await cluster.status(lost);
    await cluster.kill(lost);
    await cluster.db.dropDatabase(cluster.db.names.get(lost) as string);
    await cluster.spawn(lost);
    await waitFor(
      `${lost} reports its lost state`,
      async () => {
        const s = (await cluster.status(lost)) as unknown as { voting: boolean; notVotingReason?: string; incarnation: string } | null;
        return s !== null && s.voting === false && s.notVotingReason === 'incarnation-mismatch';
      },
      60_000,
      200,
    );
    expect(cluster.logText(lost)).toMatch(/storage lost|incarnation/);
    const after = (await cluster.status(lost)) as unknown as { incarnation: string };
    expect(after.incarnation).not.toBe((before as unknown as { incarnation: string }).incarnation);
    await ackedBefore(10);
    const run = await cli('cluster:replace-node', lost, lost);
    expect(outcome(run)).toEqual({ code: 0 });
    await waitFor(
      `${lost} votes again`,
      async () => ((await cluster.status(lost)) as unknown as { voting: boolean } | null)?.voting === true,
      60_000,
      200,
    );
    await ackedBefore(20);
  }, 300_000);

  it('adds a node from a backup: restored first, it catches up only what came after', async () => {
    // The leader: a member just re-added may still be catching up, and a backup wants a settled log.
    const source = await cluster.waitForLeader(30_000, [...members]);
    const file = join(cluster.logDir, 'backup.ndjson.gz');
    const backup = await cli('backup', '--node', source, '--out', file, '--json');
    expect({ code: backup.code, stderr: backup.code === 0 ? '' : backup.stderr }).toEqual({ code: 0, stderr: '' });
    const taken = jsonOf(backup) as { chosenWatermark: number };
    await ackedBefore(10);
    const added = await cli('cluster:add-node', 'n6', '--learner', '--from-snapshot', file, '--json');
    expect({ code: added.code, stderr: added.code === 0 ? '' : added.stderr }).toEqual({ code: 0, stderr: '' });
    expect(added.stderr).toMatch(new RegExp(`"chosenWatermark":${taken.chosenWatermark}`));
    await cluster.spawn('n6');
    const promoted = await cli('cluster:promote', 'n6');
    expect(outcome(promoted)).toEqual({ code: 0 });
    members.add('n6');
    expect(await voters()).toContain('n6');
    // a second restore into the same database is refused: it is not empty any more
    expect((await cli('cluster:add-node', 'n6', '--from-snapshot', file)).code).toBe(1);
    await ackedBefore(10);
  }, 240_000);

  it('refuses bad requests with clear exit codes', async () => {
    const usage = await cli('cluster:add-node', 'bad id');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/must match/);
    const refused = await cli('cluster:promote', 'n9', '--timeout', '2000');
    expect(refused.code).toBe(1);
  }, 120_000);

  it('every acknowledged write is in every member log exactly once', async () => {
    writing = false;
    await writer;
    report(`membership: ${acked.size} writes acknowledged during the changes; ${writeErrors.length} gave up`);
    expect(writeErrors).toEqual([]);
    for (const id of await voters()) {
      await waitFor(`${id} has applied every acknowledged write`, async () => {
        const log = await cluster.db.eventLog(id);
        const counts = rowsByContent(log);
        return [...acked].every((key) => counts.get(key) === 1);
      }, 60_000, 200);
    }
    writeErrors = [];
  }, 240_000);
});
