import { randomBytes } from 'node:crypto';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { CommandService } from '../../../src/application/command-service';
import { IdempotencyKeyReusedError, legacyCommandId, scopedCommandId } from '../../../src/application/idempotency';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import type { Actor } from '../../../src/domain';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { ApplicationsRepository, ScoreRecordsRepository, StudentsRepository, readModelDb } from '../../../src/projections';
import { dropDatabase } from '../mysql/test-database';
import { randomJwtSecret } from '../../support/jwt-secret';

const admin: Actor = { username: 'root', role: 'admin' };
const teacher: Actor = { username: 'tina', role: 'teacher' };

/** A single-member cluster on the real MySQL and NATS: it leads alone, so commands decide here. */
describe('CommandService through a real node', () => {
  const id = randomBytes(4).toString('hex');
  let node: ConsensusNode;
  let config: ReturnType<typeof nodeConfigFromEnv>;

  async function startNode(): Promise<ConsensusNode> {
    const started = await ConsensusNode.start(config, () => undefined);
    const deadline = Date.now() + 10_000;
    while (started.driver.status().role !== 'leader' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return started;
  }

  beforeAll(async () => {
    config = nodeConfigFromEnv({
      NODE_ID: 'n1',
      CLUSTER_NODES: 'n1',
      CLUSTER_NAME: `cs${id}`,
      API_SUBJECT_PREFIX: `cs${id}`,
      MYSQL_DATABASE: `behavior_test_cs_${id}`,
      TICK_MS: '5',
      JWT_SECRET: randomJwtSecret(),
      ADMIN_USERNAME: 'headmaster',
      ADMIN_PASSWORD: 'bootstrap-secret',
      // A wider range than the default 0..200, so the configured one is seen to decide.
      SCORE_MIN: '-50',
      SCORE_MAX: '300',
    });
    node = await startNode();
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
    await dropDatabase(`behavior_test_cs_${id}`);
  });

  const read = () => readModelDb(node.db);

  it('registers a student, modifies the score and reads it back at the answered position', async () => {
    const registered = await node.commands.execute({ name: 'students.register', data: { studentId: 's1', name: 'Ada', className: '7a' } }, admin);
    expect(registered.result).toMatchObject({ studentId: 's1', score: 100 });
    const modified = await node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 5, reason: 'helped' } }, admin);
    expect(modified.result).toMatchObject({ score: 105 });
    await node.projector.waitFor(modified.position ?? 0, 5000);
    expect(await new StudentsRepository(read()).getStudent('s1')).toMatchObject({ score: 105, className: '7a' });
    const records = await new ScoreRecordsRepository(read()).listRecords('s1', { page: 1, pageSize: 10 });
    expect(records.items.map((r) => r.delta)).toEqual([5]);
  });

  it('writes new events in their current schema version: ScoreModified v2 with a null reasonCode', async () => {
    await node.commands.execute({ name: 'students.register', data: { studentId: 'versioned', name: 'Versioned', className: '7v' } }, admin);
    const modified = await node.commands.execute({ name: 'scores.modify', data: { studentId: 'versioned', delta: 1, reason: 'versioned' } }, admin);
    // The answer comes once the outcome is final; the row is written right after.
    for (let i = 0; i < 200 && node.events.writtenHead < modified.position!; i++) await new Promise((r) => setTimeout(r, 10));
    const row = await node.db.selectFrom('event_log').select(['type', 'schema_version', 'data']).where('position', '=', modified.position!).executeTakeFirstOrThrow();
    expect(row.type).toBe('ScoreModified');
    expect(Number(row.schema_version)).toBe(2);
    expect(JSON.parse(row.data)).toMatchObject({ reason: 'versioned', reasonCode: null });
  });

  it('a retry with the same idempotency key returns the first answer and changes nothing', async () => {
    const command = { name: 'scores.modify', data: { studentId: 's1', delta: 1, reason: 'again' } } as const;
    const first = await node.commands.execute(command, admin, 'key-once');
    const again = await node.commands.execute(command, admin, 'key-once');
    expect(again).toMatchObject({ commandId: scopedCommandId('root', 'key-once'), position: first.position, duplicate: true });
    expect(node.aggregates.student('s1').score).toBe(106);
  });

  it('refuses what the domain refuses, with its status, and appends no event', async () => {
    const head = node.events.head;
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 500, reason: 'too much' } }, admin)).rejects.toMatchObject({
      status: 422,
    });
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 'nobody', delta: 1, reason: 'x' } }, admin)).rejects.toBeInstanceOf(
      DomainRefusal,
    );
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 1, reason: 'x' } }, teacher)).rejects.toMatchObject({
      status: 403,
    });
    expect(node.events.head).toBe(head);
  });

  it('a refusal keeps its Idempotency-Key: a retry answers the first refusal, the same key with another body 422, also after a restart', async () => {
    const before = node.aggregates.student('s1');
    const tooMuch = { name: 'scores.modify', data: { studentId: 's1', delta: 500, reason: 'too much' } } as const;
    const first = await node.commands.execute(tooMuch, admin, 'refused-once').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DomainRefusal);
    expect(first).toMatchObject({ status: 422 });
    await expect(node.commands.execute(tooMuch, admin, 'refused-once')).rejects.toMatchObject({ status: 422, message: (first as Error).message });
    const fixed = { name: 'scores.modify', data: { studentId: 's1', delta: 1, reason: 'fixed' } } as const;
    await expect(node.commands.execute(fixed, admin, 'refused-once')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(node.aggregates.student('s1')).toEqual(before);
    expect(await node.events.outcome(scopedCommandId('root', 'refused-once'))).toMatchObject({ status: 'rejected', refusal: { code: 'rule-broken' }, actor: 'root' });

    // an unknown student (404) is recorded too; registering it later does not change that key's answer
    const missing = { name: 'scores.modify', data: { studentId: 'later', delta: 1, reason: 'x' } } as const;
    await expect(node.commands.execute(missing, admin, 'refused-404')).rejects.toMatchObject({ status: 404 });
    await node.commands.execute({ name: 'students.register', data: { studentId: 'later', name: 'Late', className: '7b' } }, admin);
    await expect(node.commands.execute(missing, admin, 'refused-404')).rejects.toMatchObject({ status: 404 });

    // a role the command does not allow depends on the request alone: not recorded
    await expect(node.commands.execute(fixed, teacher, 'forbidden-key')).rejects.toMatchObject({ status: 403 });
    expect(await node.events.outcome(scopedCommandId('tina', 'forbidden-key'))).toBeUndefined();

    // a restarted node knows the refusal from its database only
    await node.stop();
    node = await startNode();
    expect(node.proposals.remembered(scopedCommandId('root', 'refused-once'))).toBeUndefined();
    await expect(node.commands.execute(tooMuch, admin, 'refused-once')).rejects.toMatchObject({ status: 422, message: (first as Error).message });
    await expect(node.commands.execute(fixed, admin, 'refused-once')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(node.aggregates.student('s1')).toEqual(before);
  }, 30_000);

  it('50 concurrent modifications of one student all apply', async () => {
    const before = node.aggregates.student('s1').score;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: i % 2 === 0 ? 1 : -1, reason: `r${i}` } }, admin)),
    );
    expect(new Set(answers.map((a) => a.position)).size).toBe(50);
    expect(node.aggregates.student('s1').score).toBe(before);
    // Each was decided against the one proposed before it, not after it applied: they share slots.
    const slots = await node.db.selectFrom('event_log').select('slot').where('position', 'in', answers.map((a) => a.position ?? 0)).execute();
    expect(new Set(slots.map((r) => Number(r.slot))).size).toBeLessThanOrEqual(25);
    expect(node.commands.proposed.size).toBe(0);
    await node.projector.waitFor(Math.max(...answers.map((a) => a.position ?? 0)), 5000);
    const records = await new ScoreRecordsRepository(read()).listRecords('s1', { page: 1, pageSize: 100 });
    expect(records.total).toBe(52);
  });

  it('a teacher submits an application; approving it changes the score in the same entry; a second review is a conflict', async () => {
    const submitted = await node.commands.execute({ name: 'applications.submit', data: { studentId: 's1', delta: 10, reason: 'won the quiz' } }, teacher);
    const applicationId = String(submitted.result.applicationId);
    expect(submitted.result.status).toBe('pending');
    const before = node.aggregates.student('s1').score;
    const review = await node.commands.execute({ name: 'applications.review', data: { applicationId, decision: 'approve', comment: 'well done' } }, admin);
    expect(review.result).toMatchObject({ status: 'approved', score: before + 10 });
    await expect(
      node.commands.execute({ name: 'applications.review', data: { applicationId, decision: 'reject', comment: 'no' } }, admin),
    ).rejects.toMatchObject({ status: 409 });
    await node.projector.waitFor(review.position ?? 0, 5000);
    expect(await new ApplicationsRepository(read()).getApplication(applicationId)).toMatchObject({ status: 'approved' });
  });

  it('refuses a student user bound to a student that does not exist', async () => {
    await expect(
      node.commands.execute({ name: 'users.create', data: { username: 'ghost', password: 'ghost-password', role: 'student', displayName: 'G', studentId: 'nobody' } }, admin),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('creates the bootstrap admin once, through the log', async () => {
    const deadline = Date.now() + 5000;
    while (!node.aggregates.user('headmaster').exists && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(node.aggregates.user('headmaster')).toMatchObject({ exists: true, role: 'admin' });
    // The aggregates see a slot when it is planned; its rows are written right after.
    const planned = node.events.head;
    while (node.events.writtenHead < planned && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Its events' command key (the first event of each command) is the idempotency record: one command.
    const rows = await node.db.selectFrom('event_log').select('command_id').where('command_id', 'like', 'bootstrap-admin%').where('command_index', '=', 0).execute();
    expect(rows).toHaveLength(1);
    expect(await node.db.selectFrom('applied_commands').select('command_id').where('command_id', 'like', 'bootstrap-admin%').execute()).toEqual([]);
  });

  it('creates a user with a hashed password that never reaches the public read model', async () => {
    const created = await node.commands.execute({ name: 'users.create', data: { username: 'tina', password: 'correct horse', role: 'teacher', displayName: 'Tina' } }, admin);
    await node.projector.waitFor(created.position ?? 0, 5000);
    const rows = await node.db.selectFrom('users').selectAll().execute();
    expect(JSON.stringify(rows)).not.toMatch(/scrypt|correct horse/);
  });

  it('decides against the configured score range (SCORE_MIN=-50, SCORE_MAX=300), at registration, modification and submission', async () => {
    await node.commands.execute({ name: 'students.register', data: { studentId: 'wide', name: 'Wide', className: '7b', initialScore: 250 } }, admin);
    const up = await node.commands.execute({ name: 'scores.modify', data: { studentId: 'wide', delta: 50, reason: 'top of the range' } }, admin);
    expect(up.result).toMatchObject({ score: 300 });
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 'wide', delta: 1, reason: 'over' } }, admin)).rejects.toMatchObject({ status: 422 });
    const down = await node.commands.execute({ name: 'scores.modify', data: { studentId: 'wide', delta: -350, reason: 'bottom of the range' } }, admin);
    expect(down.result).toMatchObject({ score: -50 });
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 'wide', delta: -1, reason: 'under' } }, admin)).rejects.toMatchObject({
      status: 422,
    });
    // A submission whose delta exceeds the range's width can never be approved: refused at once.
    await expect(
      node.commands.execute({ name: 'applications.submit', data: { studentId: 'wide', delta: 351, reason: 'wider than the range' } }, teacher),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('-50..300') });
    // 350 fits the configured width (it would not fit the default 0..200): taken.
    await expect(
      node.commands.execute({ name: 'applications.submit', data: { studentId: 'wide', delta: 350, reason: 'as wide as the range' } }, teacher),
    ).resolves.toMatchObject({ result: { status: 'pending' } });
    expect(node.aggregates.student('wide').score).toBe(-50);
  });

  it("keys belong to their caller: another caller's same key is their own command, applied under their own id", async () => {
    const other: Actor = { username: 'root2', role: 'admin' };
    await node.commands.execute({ name: 'students.register', data: { studentId: 'idem', name: 'Idem', className: '7c' } }, admin);
    const mine = await node.commands.execute({ name: 'scores.modify', data: { studentId: 'idem', delta: 2, reason: 'mine' } }, admin, 'shared-key');
    const before = node.aggregates.student('idem').score;
    const theirs = await node.commands.execute({ name: 'scores.modify', data: { studentId: 'idem', delta: 3, reason: 'theirs' } }, other, 'shared-key');
    expect(theirs.duplicate).toBe(false);
    expect(theirs.commandId).not.toBe(mine.commandId);
    expect(theirs.position).toBeGreaterThan(mine.position ?? 0);
    expect(theirs.result).toMatchObject({ score: before + 3 });
    expect(node.aggregates.student('idem').score).toBe(before + 3);
    expect(await node.events.outcome(theirs.commandId)).toMatchObject({ status: 'applied', actor: 'root2' });
    // and each caller's retry gets their own first answer
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 'idem', delta: 3, reason: 'theirs' } }, other, 'shared-key')).resolves.toMatchObject({
      commandId: theirs.commandId,
      position: theirs.position,
      duplicate: true,
    });
  });

  it('the same caller reusing a key with another body gets 422 and nothing is done; the same body gets the first answer', async () => {
    const first = await node.commands.execute({ name: 'scores.modify', data: { studentId: 'idem', delta: 1, reason: 'once' } }, admin, 'body-key');
    const head = node.events.head;
    const score = node.aggregates.student('idem').score;
    for (const data of [{ studentId: 'idem', delta: 2, reason: 'once' }, { studentId: 'idem', delta: 1, reason: 'twice' }]) {
      const refused = await node.commands.execute({ name: 'scores.modify', data }, admin, 'body-key').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(IdempotencyKeyReusedError);
      expect(refused).toMatchObject({ status: 422 });
    }
    await expect(node.commands.execute({ name: 'students.register', data: { studentId: 'zz', name: 'Z', className: '7a' } }, admin, 'body-key')).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    expect(node.events.head).toBe(head);
    expect(node.aggregates.student('idem').score).toBe(score);
    // key order in the body does not make another request
    const same = await node.commands.execute({ name: 'scores.modify', data: { reason: 'once', delta: 1, studentId: 'idem' } } as never, admin, 'body-key');
    expect(same).toMatchObject({ commandId: first.commandId, position: first.position, duplicate: true });
  });

  it('while the previous release may run, a key names the command as there; after it, a retry of that key gets the first answer', async () => {
    await node.commands.execute({ name: 'students.register', data: { studentId: 'legacy', name: 'Legacy', className: '7l' } }, admin);
    // The node's service as it runs with WRITE_PREVIOUS_EVENT_SCHEMAS=1 (the previous release named a keyed command by its key).
    const mixed = new CommandService(
      {
        isReadyLeader: () => node.driver.status().role === 'leader' && node.hasQuorum(),
        hasQuorum: () => node.hasQuorum(),
        forward: async () => null,
        hashPassword: async (password) => password,
        now: () => new Date().toISOString(),
        writePreviousEventSchemas: true,
      },
      node.aggregates,
      node.proposals,
      { min: -50, max: 300 },
    );
    const command = { name: 'scores.modify', data: { studentId: 'legacy', delta: 2, reason: 'legacy key' } } as const;
    const first = await mixed.execute(command, admin, 'legacy-1');
    expect(first.commandId).toBe('legacy-1');
    const again = await mixed.execute(command, admin, 'legacy-1');
    expect(again).toMatchObject({ commandId: 'legacy-1', position: first.position, duplicate: true });
    // The retry reaches a node that runs without the previous release: the same command, applied once.
    const after = await node.commands.execute(command, admin, 'legacy-1');
    expect(after).toMatchObject({ commandId: 'legacy-1', position: first.position, duplicate: true });
    expect(node.aggregates.student('legacy').score).toBe(102);
    // Another request under that key is not that command: it gets its own scoped id.
    const other = await node.commands.execute({ name: 'scores.modify', data: { studentId: 'legacy', delta: 1, reason: 'another' } }, admin, 'legacy-1');
    expect(other.commandId).toBe(scopedCommandId('root', 'legacy-1'));
    // A key that could name an id of another kind is never taken as is.
    expect([legacyCommandId('k_abc'), legacyCommandId('logout_abc'), legacyCommandId('a#2'), legacyCommandId('plain-key')]).toEqual([null, null, null, 'plain-key']);
    const scoped = await mixed.execute({ name: 'scores.modify', data: { studentId: 'legacy', delta: 1, reason: 'prefixed' } }, admin, 'k_looks-scoped');
    expect(scoped.commandId).toBe(scopedCommandId('root', 'k_looks-scoped'));
  });
});
