import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { sagaViewOf } from '../../../src/application/sagas/saga-view';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import type { Actor } from '../../../src/domain';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { dropDatabase } from '../mysql/test-database';
import { randomJwtSecret } from '../../support/jwt-secret';

const admin: Actor = { username: 'root', role: 'admin' };
const teacher: Actor = { username: 'tina', role: 'teacher' };

/** The domain error a command is refused with (fails the test when it applies). */
async function refusalOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    if (error instanceof DomainRefusal) return error.error.code;
    throw error;
  }
  throw new Error('the command applied');
}

/**
 * A single-member cluster on the real MySQL and NATS with snapshots every 10 events and a cache
 * of one cold aggregate: closed applications and finished sagas leave memory, are loaded again
 * when a command names them, and a restart folds only the events after the checkpoint.
 */
describe('Aggregate snapshots and cold aggregates on a real node', () => {
  const id = randomBytes(4).toString('hex');
  const database = `behavior_test_snap_${id}`;
  let node: ConsensusNode | undefined;
  const config = nodeConfigFromEnv({
    NODE_ID: 'n1',
    CLUSTER_NODES: 'n1',
    CLUSTER_NAME: `sn${id}`,
    API_SUBJECT_PREFIX: `sn${id}`,
    MYSQL_DATABASE: database,
    JWT_SECRET: randomJwtSecret(),
    TICK_MS: '5',
    AGGREGATE_SNAPSHOT_EVERY_EVENTS: '10',
    AGGREGATE_CACHE_MAX: '1',
  });

  async function startNode(): Promise<ConsensusNode> {
    const started = await ConsensusNode.start(config, () => undefined);
    const deadline = Date.now() + 10_000;
    while (started.driver.status().role !== 'leader' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return started;
  }

  afterAll(async () => {
    await node?.stop();
    await dropDatabase(database);
  });

  it('decides on evicted cold aggregates as on ones in memory, and a restart folds only what follows the checkpoint', async () => {
    node = await startNode();
    const n = node;
    expect(n.aggregates.loads).toBe(1);
    for (const s of ['s1', 's2']) await n.commands.execute({ name: 'students.register', data: { studentId: s, name: s, className: '7a' } }, admin);
    for (let i = 0; i < 12; i++) await n.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 1, reason: 'helped' } }, admin);
    const apps: string[] = [];
    for (let i = 0; i < 3; i++) {
      const submitted = await n.commands.execute({ name: 'applications.submit', data: { studentId: 's2', delta: 2, reason: `fair ${i}` } }, teacher);
      const applicationId = submitted.result.applicationId as string;
      apps.push(applicationId);
      await n.commands.execute({ name: 'applications.review', data: { applicationId, decision: 'approve', comment: 'ok' } }, admin);
    }
    const batch = await n.commands.execute({ name: 'scores.batch', data: { changes: [{ studentId: 's1', delta: 1 }, { studentId: 's2', delta: 1 }], reason: 'trip' } }, admin);
    const sagaId = batch.result.sagaId as string;
    const deadline = Date.now() + 20_000;
    while ((await sagaViewOf(n.aggregates, sagaId))?.status !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Two more closed applications push the first one and the saga out of the cache of one.
    for (let i = 3; i < 5; i++) {
      const submitted = await n.commands.execute({ name: 'applications.submit', data: { studentId: 's2', delta: 1, reason: `fair ${i}` } }, teacher);
      await n.commands.execute({ name: 'applications.review', data: { applicationId: submitted.result.applicationId as string, decision: 'reject', comment: 'no' } }, admin);
    }
    await n.aggregates.settled();
    expect(() => n.aggregates.application(apps[0])).toThrow(/not in memory/);
    // Loaded again on demand: the same refusals as with everything in memory.
    expect(await refusalOf(n.commands.execute({ name: 'applications.review', data: { applicationId: apps[0], decision: 'reject', comment: 'again' } }, admin))).toBe('conflict');
    expect(await refusalOf(n.commands.execute({ name: 'sagas.retry', data: { sagaId } }, admin))).toBe('conflict');
    expect(await sagaViewOf(n.aggregates, sagaId)).toMatchObject({ status: 'completed' });
    expect(n.aggregates.loadedOnDemand).toBeGreaterThan(0);
    const scores = { s1: n.aggregates.student('s1').score, s2: n.aggregates.student('s2').score };
    expect(scores).toEqual({ s1: 113, s2: 107 });

    await n.aggregates.settled();
    await n.stop();
    node = undefined;
    const restarted = await startNode();
    node = restarted;
    const { rows } = await sql<{ checkpoint: number; after: number }>`
      SELECT (SELECT position FROM aggregate_checkpoint WHERE id = 1) AS checkpoint,
             (SELECT COUNT(*) FROM event_log WHERE position > (SELECT position FROM aggregate_checkpoint WHERE id = 1)) AS after`.execute(restarted.db);
    expect(Number(rows[0].checkpoint)).toBeGreaterThan(0);
    // Folded once at start, and only the events after the checkpoint.
    expect(restarted.aggregates.loads).toBe(1);
    expect(restarted.aggregates.folded).toBe(Number(rows[0].after));
    expect({ s1: restarted.aggregates.student('s1').score, s2: restarted.aggregates.student('s2').score }).toEqual(scores);
    expect(await refusalOf(restarted.commands.execute({ name: 'applications.review', data: { applicationId: apps[1], decision: 'approve', comment: 'again' } }, admin))).toBe('conflict');
    const modified = await restarted.commands.execute({ name: 'scores.modify', data: { studentId: 's2', delta: -1, reason: 'late' } }, admin);
    expect(modified.result).toMatchObject({ score: 106 });
  }, 90_000);
});
