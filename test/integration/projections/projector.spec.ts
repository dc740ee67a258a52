import { sql } from 'kysely';
import { type DomainEvent, domainEvent } from '../../../src/domain';
import {
  ApplicationsRepository,
  PROJECTOR_UNWRITTEN_EVENTS_MAX,
  Projector,
  READ_MODELS,
  ScoreRecordsRepository,
  StudentsRepository,
  READ_MODEL_TABLES,
  UsersRepository,
  dumpReadModels,
  foldReadModels,
  prefixedTables,
  readCheckpoints,
} from '../../../src/projections';
import { LogTail } from '../../../src/projections/log-tail';
import {
  NOW,
  admin,
  applicationApproved,
  applicationSubmitted,
  ref,
  scoreModified,
  studentFrozen,
  studentRegistered,
  teacher,
  userCreated,
} from '../../domain/fixtures';
import {
  type ProjectionTestDatabase,
  TestEventLog,
  clearAll,
  createProjectionTestDatabase,
  plain,
} from './projection-test-support';

const logEvent = (id: string): DomainEvent => domainEvent('log', 's-1', 'RecordAppended', { id });

describe('Projector (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  let log: TestEventLog;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
  });
  afterAll(() => test.drop());
  beforeEach(async () => {
    await clearAll(test.db);
    log = new TestEventLog(test.db);
  });

  it('given a school day in the log, then the repositories answer in the API shapes, with positions', async () => {
    await log.append([
      [studentRegistered(100)],
      [logEvent('a')],
      [scoreModified(-5, 100)],
      [scoreModified(7, 95, { reason: "didn't run in the hall", source: 'direct' })],
      [applicationSubmitted(10, teacher)],
      [applicationApproved(10, 112), scoreModified(10, 102, { source: 'application', applicationId: 'app-1' })],
      [studentFrozen('saga-1')],
      [userCreated('kim', 'student', 's-1')],
    ]);
    const projector = new Projector(test.db, READ_MODELS);
    expect(await projector.catchUp()).toBe(9);
    expect(projector.position).toBe(9);

    expect(await new StudentsRepository(test.db).getStudent('s-1')).toEqual({
      studentId: 's-1',
      name: 'Kim Min',
      className: '7A',
      score: 112,
      initialScore: 100,
      frozen: true,
      archived: false,
      updatedAt: NOW,
      position: 8,
    });
    const records = await new ScoreRecordsRepository(test.db).listRecords('s-1', { page: 1, pageSize: 2 });
    expect(records).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(records.items).toEqual([
      {
        position: 7,
        studentId: 's-1',
        delta: 10,
        reason: 'helped a classmate',
        actor: ref(admin),
        source: 'application',
        newScore: 112,
        sagaId: null,
        applicationId: 'app-1',
        at: NOW,
        reasonCode: null,
      },
      expect.objectContaining({ position: 4, delta: 7, reason: "didn't run in the hall", newScore: 102 }),
    ]);
    expect(await new ApplicationsRepository(test.db).getApplication('app-1')).toEqual({
      applicationId: 'app-1',
      studentId: 's-1',
      delta: 10,
      reason: 'won the maths olympiad',
      submittedBy: 'ms.lee',
      status: 'approved',
      reviewer: 'root',
      comment: 'well done',
      submittedAt: NOW,
      reviewedAt: NOW,
      position: 6,
      reasonCode: null,
    });
    expect(await new UsersRepository(test.db).getUser('kim')).toEqual({
      username: 'kim',
      role: 'student',
      displayName: 'Someone',
      studentId: 's-1',
      disabled: false,
      classes: [],
      position: 9,
    });
    expect(await readCheckpoints(test.db)).toEqual([{ name: 'read-models', position: 9 }]);
  });

  it('never stores the password hash: no users column holds it, and the table has no column for it', async () => {
    const created = userCreated('root', 'admin');
    await log.append([[created]]);
    await new Projector(test.db, READ_MODELS).catchUp();
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM users`.execute(test.db);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]).sort()).toEqual([
      'classes',
      'disabled',
      'display_name',
      'position',
      'role',
      'student_id',
      'username',
    ]);
    expect(JSON.stringify(rows)).not.toContain(created.data.passwordHash);
  });

  it("skips 'log' stream events yet moves the checkpoint past them", async () => {
    await log.append([[logEvent('1')], [logEvent('2')], [studentRegistered(100, 's-9')], [logEvent('3')]]);
    const projector = new Projector(test.db, READ_MODELS, { batchEventsMax: 2 });
    expect(await projector.catchUp()).toBe(4);
    const state = await dumpReadModels(test.db);
    expect([...state.students.keys()]).toEqual(['s-9']);
    expect([state.score_records.size, state.applications.size, state.users.size]).toEqual([0, 0, 0]);
  });

  it('moves past batches that change no row in memory only, stores the checkpoint with the next row change or every PROJECTOR_UNWRITTEN_EVENTS_MAX events', async () => {
    await log.append([[studentRegistered(100, 's-9')], [logEvent('1')], [logEvent('2')]]);
    const projector = new Projector(test.db, READ_MODELS, { batchEventsMax: 1 });
    expect(await projector.catchUp()).toBe(3);
    await projector.waitFor(3, 100);
    expect(await readCheckpoints(test.db)).toEqual([{ name: 'read-models', position: 1 }]);
    // A restarted projector re-reads the row-less events: nothing changes, it reaches the same place.
    const before = plain(await dumpReadModels(test.db));
    const restarted = new Projector(test.db, READ_MODELS, { batchEventsMax: 1 });
    expect(await restarted.catchUp()).toBe(3);
    expect(plain(await dumpReadModels(test.db))).toEqual(before);
    await log.append([[scoreModified(1, 100, { studentId: 's-9' })]]);
    expect(await restarted.catchUp()).toBe(4);
    expect(await readCheckpoints(test.db)).toEqual([{ name: 'read-models', position: 4 }]);
    await log.append(Array.from({ length: PROJECTOR_UNWRITTEN_EVENTS_MAX + 5 }, (_, i) => [logEvent(`r${i}`)]));
    const bulk = new Projector(test.db, READ_MODELS, { batchEventsMax: 100 });
    expect(await bulk.catchUp()).toBe(log.head);
    const [stored] = await readCheckpoints(test.db);
    expect(stored.position).toBeGreaterThanOrEqual(4 + PROJECTOR_UNWRITTEN_EVENTS_MAX);
    expect(stored.position).toBeLessThanOrEqual(log.head);
  });

  it('catchUp(upto) applies exactly up to that position, in batches, and resumes from the checkpoint in a new projector', async () => {
    await log.append([[studentRegistered(100)], ...Array.from({ length: 9 }, (_, i) => [scoreModified(1, 100 + i)])]);
    const batches: number[] = [];
    const first = new Projector(test.db, READ_MODELS, { batchEventsMax: 3, onBatch: (b) => batches.push(b.to) });
    expect(await first.catchUp(5)).toBe(5);
    expect(batches).toEqual([3, 5]);
    expect(plain(await dumpReadModels(test.db))).toEqual(plain(foldReadModels(log.eventsUpTo(5))));
    const restarted = new Projector(test.db, READ_MODELS, { batchEventsMax: 3 });
    expect(await restarted.load()).toBe(5);
    expect(await restarted.catchUp()).toBe(10);
    expect((await new StudentsRepository(test.db).getStudent('s-1'))?.score).toBe(109);
  });

  it('aggregates a batch: many changes to one student are one row write, and every change is still a record', async () => {
    await log.append([[studentRegistered(0)], ...Array.from({ length: 500 }, (_, i) => [scoreModified(1, i)])]);
    const rows: number[] = [];
    await new Projector(test.db, READ_MODELS, { onBatch: (b) => rows.push(b.rows) }).catchUp();
    expect(rows).toEqual([502]); // 1 student row + 500 records + 1 end-of-day score
    expect((await new StudentsRepository(test.db).getStudent('s-1'))?.score).toBe(500);
  });

  it('writes a shadow set into prefixed tables under its own checkpoint, leaving the live tables alone', async () => {
    for (const table of READ_MODEL_TABLES) {
      await sql`CREATE TABLE IF NOT EXISTS ${sql.table(`shadow_${table}`)} LIKE ${sql.table(table)}`.execute(test.db);
      await sql`DELETE FROM ${sql.table(`shadow_${table}`)}`.execute(test.db);
    }
    await log.append([[studentRegistered(100)], [scoreModified(3, 100)]]);
    const shadow = new Projector(test.db, READ_MODELS, {
      tablePrefix: 'shadow_',
      checkpointName: 'read-models:rebuild',
    });
    expect(await shadow.catchUp()).toBe(2);
    expect((await dumpReadModels(test.db)).students.size).toBe(0);
    const rebuilt = await dumpReadModels(test.db, undefined, prefixedTables('shadow_'));
    expect(plain(rebuilt)).toEqual(plain(foldReadModels(log.eventsUpTo(2))));
    expect(await readCheckpoints(test.db)).toEqual([{ name: 'read-models:rebuild', position: 2 }]);
  });

  it('given a log tail holding what was just written, then batches it holds are folded from memory, not read back from event_log, and the rest come from MySQL', async () => {
    const eventLogReads = { count: 0 };
    const counted = test.db.withPlugin({
      transformQuery: (args) => {
        if (args.node.kind === 'SelectQueryNode' && JSON.stringify(args.node.from).includes('"event_log"')) eventLogReads.count += 1;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    });
    await log.append([[studentRegistered(100)], [scoreModified(-5, 100)]]); // written before the tail saw anything
    const tail = new LogTail();
    tail.append(await log.append([[scoreModified(7, 95)], [logEvent('a')], [userCreated('kim', 'student', 's-1')]]));
    const projector = new Projector(counted, READ_MODELS, { tail });

    expect(await projector.catchUp(2)).toBe(2);
    expect(eventLogReads.count).toBe(1); // positions 1-2: the tail starts at 3, so MySQL
    expect(await projector.catchUp()).toBe(5);
    expect(eventLogReads.count).toBe(2); // 3-5 from the tail; only the last look for more went to MySQL
    expect(plain(await dumpReadModels(test.db))).toEqual(plain(foldReadModels(log.eventsUpTo(5))));
  });
});
