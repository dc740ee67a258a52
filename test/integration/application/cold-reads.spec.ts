import { randomBytes } from 'node:crypto';
import { AggregateNotLoadedError } from '../../../src/application/aggregate-store';
import type { ApiCommand } from '../../../src/application/command-gateway';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { scopedCommandId } from '../../../src/application/idempotency';
import { sagaViewOf } from '../../../src/application/sagas/saga-view';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import type { Actor } from '../../../src/domain';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { dropDatabase } from '../mysql/test-database';
import { randomJwtSecret } from '../../support/jwt-secret';

const admin: Actor = { username: 'root', role: 'admin' };
const teacher: Actor = { username: 'tina', role: 'teacher' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Paths that read an aggregate which may have left memory, on a real node with a cold cache of
 * one (snapshots every 10 events): none may answer 500 (AggregateNotLoadedError).
 */
describe('decisions on aggregates that may be cold (real MySQL and NATS, a cache of one)', () => {
  const id = randomBytes(4).toString('hex');
  const database = `behavior_test_cold_${id}`;
  let node: ConsensusNode;

  beforeAll(async () => {
    const config = nodeConfigFromEnv({
      NODE_ID: 'n1',
      CLUSTER_NODES: 'n1',
      CLUSTER_NAME: `co${id}`,
      API_SUBJECT_PREFIX: `co${id}`,
      MYSQL_DATABASE: database,
      JWT_SECRET: randomJwtSecret(),
      TICK_MS: '5',
      AGGREGATE_SNAPSHOT_EVERY_EVENTS: '10',
      AGGREGATE_CACHE_MAX: '1',
      // No records service answers: an archive times out soon and compensates.
      RECORDS_TIMEOUT_MS: '300',
    });
    node = await ConsensusNode.start(config, () => undefined);
    const deadline = Date.now() + 10_000;
    while (!(node.driver.status().role === 'leader' && node.hasQuorum()) && Date.now() < deadline) await sleep(20);
    for (const s of ['s1', 's2', 's3']) await node.commands.execute({ name: 'students.register', data: { studentId: s, name: s, className: '7c' } }, admin);
    await node.commands.execute({ name: 'students.register', data: { studentId: 'z1', name: 'z1', className: '7z' } }, admin);
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
    await dropDatabase(database);
  });

  async function waitForSaga(sagaId: string, status: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await sagaViewOf(node.aggregates, sagaId))?.status !== status) {
      if (Date.now() > deadline) throw new Error(`saga ${sagaId} not ${status}`);
      await sleep(50);
    }
  }

  it.each<[string, ApiCommand, string]>([
    // Completed, the saga is cold: it leaves the cache of one.
    ['a batch', { name: 'scores.batch', data: { changes: [{ studentId: 's1', delta: 1 }, { studentId: 's2', delta: 1 }], reason: 'trip' } }, 'completed'],
    // No records service answers: it compensates at its deadline (its own class apart).
    ['an archive', { name: 'archives.start', data: { semester: '2025-spring', className: '7z' } }, 'compensated'],
  ])(
    'a new leader given %s the log already applied (the same command id re-forwarded after a leader change) answers its first outcome, not 500',
    async (_what, command, endsAs) => {
      const key = `again-${command.name}`;
      const first = await node.commands.execute(command, admin, key);
      const sagaId = first.result.sagaId as string;
      await waitForSaga(sagaId, endsAs);
      // serveForwardedCommands hands the command to decideHere, without the look at recent outcomes `execute` takes first.
      const again = await node.commands.decideHere(command, admin, scopedCommandId(admin.username, key));
      expect(again).toMatchObject({ commandId: first.commandId, position: first.position, duplicate: true, result: { sagaId } });
    },
    40_000,
  );

  it('the same batch sent twice at once (a client retrying while the first is in flight) answers both with one saga', async () => {
    const command: ApiCommand = { name: 'scores.batch', data: { changes: [{ studentId: 's3', delta: 2 }], reason: 'twice' } };
    const [a, b] = await Promise.all([node.commands.execute(command, admin, 'twice'), node.commands.execute(command, admin, 'twice')]);
    expect(b.result.sagaId).toBe(a.result.sagaId);
    expect(b.position).toBe(a.position);
    await waitForSaga(a.result.sagaId as string, 'completed');
  }, 40_000);

  it('a review of a closed application that left memory is refused (409) while another cold aggregate is held, not 500', async () => {
    const closed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const submitted = await node.commands.execute({ name: 'applications.submit', data: { studentId: 's2', delta: 1, reason: `cold ${i}` } }, teacher);
      closed.push(submitted.result.applicationId as string);
      await node.commands.execute({ name: 'applications.review', data: { applicationId: closed[i], decision: 'approve', comment: 'ok' } }, admin);
    }
    await node.aggregates.settled();
    // Another decision holds the one cold aggregate the cache keeps: the reviewed application must still be there when read.
    const hold = await node.aggregates.prefetch([`application/${closed[2]}`]);
    try {
      expect(() => node.aggregates.application(closed[0])).toThrow(AggregateNotLoadedError);
      const refused = await node.commands.execute({ name: 'applications.review', data: { applicationId: closed[0], decision: 'reject', comment: 'again' } }, admin).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DomainRefusal);
      expect(refused).toMatchObject({ status: 409 });
    } finally {
      hold();
    }
  }, 40_000);
});
