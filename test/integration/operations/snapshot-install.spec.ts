import { randomBytes } from 'node:crypto';
import type { Actor } from '../../../src/domain';
import { SNAPSHOT_INSTALL_META } from '../../../src/operations/snapshot/restore';
import { randomJwtSecret } from '../../support/jwt-secret';
import { dropDatabase } from '../mysql/test-database';
import { type RunningNode, type TestCluster, allRows, queryRows, startRunningNode, until } from './snapshot-node';

const admin: Actor = { username: 'root', role: 'admin' };
const MEMBERS = ['n1', 'n2', 'n3'];

/**
 * A node that was down while its peers chose many slots installs a peer's snapshot at its next
 * start (real MySQL, real NATS, three real nodes): its tables are replaced by the snapshot's, its
 * promise and accepts stay as they were, and it goes on with the cluster. An install interrupted
 * after the tables were emptied stops the start until a peer gives a snapshot again.
 */
describe('install of a peer snapshot into a node far behind', () => {
  const id = randomBytes(4).toString('hex');
  const cluster: TestCluster = { name: `si${id}`, jwtSecret: randomJwtSecret(), admin: { username: 'headmaster', password: 'bootstrap-secret' } };
  const database = (node: string) => `behavior_test_si_${id}_${node}`;
  const running = new Map<string, RunningNode>();
  const lines: string[] = [];

  const start = async (node: string, env: NodeJS.ProcessEnv = {}): Promise<RunningNode> => {
    const started = await startRunningNode(cluster, node, MEMBERS, database(node), env, (_level, message) => lines.push(`${node}: ${message}`));
    running.set(node, started);
    return started;
  };
  const stop = async (node: string): Promise<void> => {
    await running.get(node)?.stop();
    running.delete(node);
  };
  const leader = (): RunningNode | undefined => [...running.values()].find((n) => n.node.driver.status().role === 'leader');
  /** Writes `count` score changes through the leader (retried while a leader is being chosen). */
  const write = async (count: number, tag: string): Promise<number> => {
    let position = 0;
    for (let i = 0; i < count; i++) {
      for (let attempt = 0; ; attempt++) {
        const lead = leader();
        try {
          if (!lead) throw Object.assign(new Error('no leader'), { status: 503 });
          position = (await lead.node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 1, reason: `${tag} ${i}` } }, admin)).position ?? position;
          break;
        } catch (error) {
          if ((error as { status?: number }).status !== 503 || attempt >= 200) throw error;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    return position;
  };

  beforeAll(async () => {
    for (const node of MEMBERS) await start(node, { SNAPSHOT_CATCHUP_MIN_SLOTS: '0' });
    await until('a leader', () => leader() !== undefined && leader()!.node.aggregates.plannedSlot >= leader()!.node.driver.status().recoveredUpTo, 30_000);
    await leader()!.adminToken(); // the bootstrap admin is in
    for (let attempt = 0; ; attempt++) {
      try {
        await leader()!.node.commands.execute({ name: 'students.register', data: { studentId: 's1', name: 'Student 1', className: '9A' } }, admin);
        break;
      } catch (error) {
        if (attempt >= 100) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await write(5, 'before');
  }, 120_000);

  afterAll(async () => {
    for (const node of [...running.keys()]) await stop(node).catch(() => undefined);
    for (const node of MEMBERS) await dropDatabase(database(node));
  }, 60_000);

  it('a node down while many slots were chosen installs a snapshot at start, keeps its promise, and goes on', async () => {
    const behind = [...running.keys()].find((n) => running.get(n)!.node.driver.status().role !== 'leader')!;
    await until(`${behind} applied what was written`, () => running.get(behind)!.node.driver.status().appliedWatermark >= leader()!.node.driver.status().chosenWatermark);
    await stop(behind);
    const promise = await allRows(database(behind), 'paxos_promise');
    const identity = await allRows(database(behind), 'node_identity');
    const ownChosen = Number((await queryRows(database(behind), 'SELECT MAX(slot) AS last FROM paxos_chosen'))[0].last);
    expect(promise.length).toBe(1);
    await write(30, 'while down');
    const peersChosen = leader()!.node.driver.status().chosenWatermark;
    expect(peersChosen - ownChosen).toBeGreaterThanOrEqual(20);

    lines.length = 0;
    const back = await start(behind, { SNAPSHOT_CATCHUP_MIN_SLOTS: '20' });
    const log = lines.join('\n');
    expect(log).toMatch(new RegExp(`${behind}: chosen log at slot ${ownChosen} and n\\d has chosen \\d+ slots: copying its snapshot before starting`));
    expect(log).toMatch(new RegExp(`${behind}: installed n\\d's snapshot up to slot \\d+`));
    expect(back.node.driver.status().chosenWatermark).toBeGreaterThanOrEqual(peersChosen - 1);
    // What this node promised and accepted before is still there (it may have promised more since).
    const promiseAfter = await allRows(database(behind), 'paxos_promise');
    expect(promiseAfter.length).toBe(1);
    expect(BigInt(String(promiseAfter[0].round))).toBeGreaterThanOrEqual(BigInt(String(promise[0].round)));
    expect((await allRows(database(behind), 'node_identity')).map((r) => r.incarnation)).toEqual(identity.map((r) => r.incarnation));
    expect(await queryRows(database(behind), 'SELECT * FROM paxos_meta WHERE name = ?', [SNAPSHOT_INSTALL_META])).toEqual([]);

    // It goes on with the cluster: a new write reaches its log, which equals the others'.
    const last = await write(3, 'after');
    await until(`${behind} applied the new writes`, () => back.node.events.writtenHead >= last, 30_000);
    const others = MEMBERS.filter((n) => n !== behind);
    expect(await allRows(database(behind), 'event_log')).toEqual(await allRows(database(others[0]), 'event_log'));
  }, 180_000);

  it('an install interrupted after the tables were emptied stops the start until a peer gives a snapshot', async () => {
    const node = [...running.keys()].find((n) => running.get(n)!.node.driver.status().role !== 'leader')!;
    await stop(node);
    // As an install leaves it when it stops part way: the mark set, a table emptied.
    await queryRows(database(node), 'INSERT INTO paxos_meta (name, value) VALUES (?, 1)', [SNAPSHOT_INSTALL_META]);
    await queryRows(database(node), 'TRUNCATE TABLE event_log');
    // No peer answers on another cluster's subjects: the start refuses.
    const alone: TestCluster = { ...cluster, name: `${cluster.name}x` };
    await expect(startRunningNode(alone, node, MEMBERS, database(node), { CLUSTER_NAME: cluster.name, API_SUBJECT_PREFIX: alone.name })).rejects.toThrow(
      /an install of a peer snapshot into .* was interrupted and no peer gave one now \(no-peer\)/,
    );
    // With its peers reachable, the next start installs a snapshot and runs.
    lines.length = 0;
    const back = await start(node, { SNAPSHOT_CATCHUP_MIN_SLOTS: '0' });
    expect(lines.join('\n')).toMatch(new RegExp(`${node}: installed n\\d's snapshot up to slot \\d+`));
    expect(await queryRows(database(node), 'SELECT * FROM paxos_meta WHERE name = ?', [SNAPSHOT_INSTALL_META])).toEqual([]);
    const last = await write(2, 'after the interrupted install');
    await until(`${node} applied the new writes`, () => back.node.events.writtenHead >= last, 30_000);
    const other = MEMBERS.find((n) => n !== node)!;
    expect(await allRows(database(node), 'event_log')).toEqual(await allRows(database(other), 'event_log'));
  }, 180_000);
});
