import type { Kysely } from 'kysely';
import { type DomainEvent } from '../../../src/domain';
import { createKysely } from '../../../src/infra/mysql/database';
import {
  ProjectionRebuild,
  Projector,
  READ_MODELS,
  type ReadModelDatabase,
  StatsRepository,
  checkCheckpointTimeZone,
  dumpReadModels,
  foldReadModels,
  readModelDb,
  readModelProjections,
  readModelSet,
  readProjectionStatus,
} from '../../../src/projections';
import { logTimeZoneCheck } from '../../../src/node/consensus-node';
import { scoreModified, studentRegistered } from '../../domain/fixtures';
import { MYSQL_URL } from '../mysql/test-database';
import { type ProjectionTestDatabase, TestEventLog, createProjectionTestDatabase, plain } from './projection-test-support';

function registered(studentId: string, className: string, initialScore: number, at: string): DomainEvent {
  const e = studentRegistered(initialScore, studentId);
  return { ...e, data: { ...e.data, className, at } };
}

function changed(studentId: string, previousScore: number, delta: number, at: string): DomainEvent {
  return scoreModified(delta, previousScore, { studentId, at });
}

/**
 * Class 7A (s-1, s-2) and 7B (s-3). In Shanghai (UTC+8) a day starts at 16:00 UTC the day before:
 * the comments give the local time.
 */
const SCHOOL: DomainEvent[][] = [
  [registered('s-1', '7A', 100, '2025-03-01T08:00:00.000Z')], // 1 Mar 16:00
  [registered('s-2', '7A', 80, '2025-03-01T08:00:00.000Z')],
  [registered('s-3', '7B', 100, '2025-03-01T08:00:00.000Z')],
  [changed('s-1', 100, 5, '2025-03-01T10:00:00.000Z')], // 1 Mar 18:00 -> 105
  [changed('s-1', 105, 2, '2025-03-01T23:30:00.000Z')], // 2 Mar 07:30 -> 107 (1 Mar in UTC)
  [changed('s-2', 80, 10, '2025-03-02T01:00:00.000Z')], // 2 Mar 09:00 -> 90
  [changed('s-3', 100, 1, '2025-03-02T02:00:00.000Z')], // 2 Mar 10:00, class 7B
  [changed('s-1', 107, -1, '2025-03-02T15:59:59.999Z')], // 2 Mar 23:59:59.999 -> 106
  [changed('s-1', 106, 4, '2025-03-02T16:00:00.000Z')], // 3 Mar 00:00 -> 110 (2 Mar in UTC)
];

/** A test database holding `commands`, projected with days in `timeZone`. */
async function projected(commands: DomainEvent[][], timeZone: string): Promise<{ test: ProjectionTestDatabase; log: TestEventLog }> {
  const test = await createProjectionTestDatabase();
  const log = new TestEventLog(test.db);
  await log.append(commands);
  await new Projector(test.db, readModelSet(timeZone)).catchUp();
  return { test, log };
}

describe('school days in a time zone: the stats read from real MySQL', () => {
  let shanghai: ProjectionTestDatabase;
  let utc: ProjectionTestDatabase;

  beforeAll(async () => {
    shanghai = (await projected(SCHOOL, 'Asia/Shanghai')).test;
    utc = (await projected(SCHOOL, 'UTC')).test;
  });
  afterAll(async () => {
    await shanghai?.drop();
    await utc?.drop();
  });

  it("counts a class's changes and end-of-day averages per local day in Asia/Shanghai (a change at 23:30 UTC is the next day's)", async () => {
    expect(await new StatsRepository(shanghai.db, 'Asia/Shanghai').classDaily('7A', '2025-03-03', 4)).toEqual([
      { day: '2025-02-28', changes: 0, deltaSum: 0, averageScore: null },
      { day: '2025-03-01', changes: 1, deltaSum: 5, averageScore: (105 + 80) / 2 },
      { day: '2025-03-02', changes: 3, deltaSum: 11, averageScore: (106 + 90) / 2 },
      { day: '2025-03-03', changes: 1, deltaSum: 4, averageScore: (110 + 90) / 2 },
    ]);
  });

  it('counts the same log per UTC day in UTC, as before the setting existed', async () => {
    expect(await new StatsRepository(utc.db).classDaily('7A', '2025-03-03', 3)).toEqual([
      { day: '2025-03-01', changes: 2, deltaSum: 7, averageScore: (107 + 80) / 2 },
      { day: '2025-03-02', changes: 3, deltaSum: 13, averageScore: (110 + 90) / 2 },
      { day: '2025-03-03', changes: 0, deltaSum: 0, averageScore: (110 + 90) / 2 },
    ]);
  });

  it("counts today's changes from local midnight, and tells which day it is there", async () => {
    const stats = new StatsRepository(shanghai.db, 'Asia/Shanghai');
    expect(stats.today(Date.parse('2025-03-01T23:30:00.000Z'))).toBe('2025-03-02');
    expect(stats.today(Date.parse('2025-03-01T15:59:59.999Z'))).toBe('2025-03-01');
    const range = { min: 0, max: 200 };
    expect((await stats.overview('2025-03-02', range)).todayChanges).toBe(5); // since 1 Mar 16:00 UTC
    expect((await stats.overview('2025-03-03', range)).todayChanges).toBe(1); // since 2 Mar 16:00 UTC
    expect((await new StatsRepository(utc.db).overview('2025-03-02', range)).todayChanges).toBe(4); // since 2 Mar 00:00 UTC
    expect(new StatsRepository(utc.db).today(Date.parse('2025-03-01T23:30:00.000Z'))).toBe('2025-03-01');
  });

  it("gives a student's chart one point per local day it changed", async () => {
    expect(await new StatsRepository(shanghai.db, 'Asia/Shanghai').scoreHistory('s-1')).toEqual([
      { day: '2025-03-01', score: 105 },
      { day: '2025-03-02', score: 106 },
      { day: '2025-03-03', score: 110 },
    ]);
    expect(await new StatsRepository(utc.db).scoreHistory('s-1')).toEqual([
      { day: '2025-03-01', score: 107 },
      { day: '2025-03-02', score: 110 },
    ]);
  });

  it('cuts the days of a DST change where Europe/Berlin does: 23 hours on 2025-03-30', async () => {
    const { test } = await projected(
      [
        [registered('b-1', '5C', 100, '2025-03-28T12:00:00.000Z')],
        [changed('b-1', 100, 1, '2025-03-29T22:30:00.000Z')], // 29 Mar 23:30 CET
        [changed('b-1', 101, 1, '2025-03-29T23:30:00.000Z')], // 30 Mar 00:30 CET
        [changed('b-1', 102, 1, '2025-03-30T21:30:00.000Z')], // 30 Mar 23:30 CEST
        [changed('b-1', 103, 1, '2025-03-30T22:30:00.000Z')], // 31 Mar 00:30 CEST
      ],
      'Europe/Berlin',
    );
    try {
      const days = await new StatsRepository(test.db, 'Europe/Berlin').classDaily('5C', '2025-03-31', 3);
      expect(days.map((d) => [d.day, d.changes, d.averageScore])).toEqual([
        ['2025-03-29', 1, 101],
        ['2025-03-30', 2, 103],
        ['2025-03-31', 1, 104],
      ]);
    } finally {
      await test.drop();
    }
  });
});

describe('the time zone a checkpoint records (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  let rebuildDb: Kysely<ReadModelDatabase>;

  beforeEach(async () => {
    test = await createProjectionTestDatabase();
    rebuildDb = readModelDb(createKysely(MYSQL_URL, test.name, 6));
  });
  afterEach(async () => {
    await rebuildDb.destroy();
    await test.drop();
  });

  it('a new node records its zone before it projects anything', async () => {
    expect(await checkCheckpointTimeZone(test.db, READ_MODELS.name, 'Asia/Shanghai')).toEqual({
      checkpoint: 'read-models',
      position: 0,
      recorded: 'Asia/Shanghai',
      configured: 'Asia/Shanghai',
      matches: true,
    });
  });

  it('rows built in UTC stay so, with a warning naming the rebuild, until projections:rebuild rebuilds them in the new zone', async () => {
    const log = new TestEventLog(test.db);
    await log.append(SCHOOL);
    await new Projector(test.db, READ_MODELS).catchUp(); // built before the zone was set
    const check = await checkCheckpointTimeZone(test.db, READ_MODELS.name, 'Asia/Shanghai');
    expect(check).toMatchObject({ recorded: 'UTC', configured: 'Asia/Shanghai', matches: false, position: log.head });
    const warnings: string[] = [];
    logTimeZoneCheck(check, 'n2', (_level, message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/SCHOOL_TIME_ZONE is Asia\/Shanghai but student_daily_scores counts days in UTC/);
    expect(warnings[0]).toContain('SCHOOL_TIME_ZONE=Asia/Shanghai npm run cli -- projections:rebuild --projection student_daily_scores --node n2');
    expect((await checkCheckpointTimeZone(test.db, READ_MODELS.name, 'Asia/Shanghai')).recorded).toBe('UTC'); // never changed by a start

    // Rebuilding another read model in the new zone leaves the days as they are.
    expect((await new ProjectionRebuild(rebuildDb, { projection: 'students', timeZone: 'Asia/Shanghai' }).run()).timeZone).toBeNull();
    expect((await checkCheckpointTimeZone(test.db, READ_MODELS.name, 'Asia/Shanghai')).matches).toBe(false);

    const result = await new ProjectionRebuild(rebuildDb, { projection: 'student_daily_scores', timeZone: 'Asia/Shanghai' }).run();
    expect(result).toMatchObject({ projections: ['student_daily_scores'], timeZone: 'Asia/Shanghai', position: log.head });
    expect(await checkCheckpointTimeZone(test.db, READ_MODELS.name, 'Asia/Shanghai')).toMatchObject({ recorded: 'Asia/Shanghai', matches: true });
    expect(plain(await dumpReadModels(test.db))).toEqual(plain(foldReadModels(log.eventsUpTo(log.head), readModelProjections('Asia/Shanghai'))));
    const status = await readProjectionStatus(test.db);
    expect(status.projections.find((p) => p.name === 'student_daily_scores')?.timeZone).toBe('Asia/Shanghai');
    expect(status.projections.find((p) => p.name === 'students')?.timeZone).toBeUndefined();

    // The live projector goes on in the new zone.
    await log.append([[changed('s-2', 90, 1, '2025-03-03T23:00:00.000Z')]]); // 4 Mar 07:00 in Shanghai
    await new Projector(test.db, readModelSet('Asia/Shanghai')).catchUp();
    expect(plain(await dumpReadModels(test.db))).toEqual(plain(foldReadModels(log.eventsUpTo(log.head), readModelProjections('Asia/Shanghai'))));
  });

  it('an interrupted rebuild resumes only in the zone it started in', async () => {
    const log = new TestEventLog(test.db);
    await log.append(SCHOOL);
    await new Projector(test.db, READ_MODELS).catchUp();
    // A rebuild that stopped after its first batch leaves its checkpoint and shadow tables.
    const interrupted = (timeZone: string) => {
      const abort = new AbortController();
      const rebuild = new ProjectionRebuild(rebuildDb, { timeZone, batchEvents: 2, signal: abort.signal, onProgress: (p) => p.phase === 'replay' && abort.abort() });
      return expect(rebuild.run()).rejects.toThrow(/interrupted/);
    };
    await interrupted('Europe/Berlin');
    expect(await new ProjectionRebuild(rebuildDb, { timeZone: 'Asia/Shanghai' }).run()).toMatchObject({ resumed: false, timeZone: 'Asia/Shanghai' });
    await interrupted('Asia/Shanghai');
    expect(await new ProjectionRebuild(rebuildDb, { timeZone: 'Asia/Shanghai' }).run()).toMatchObject({ resumed: true, timeZone: 'Asia/Shanghai' });
    expect(plain(await dumpReadModels(test.db))).toEqual(plain(foldReadModels(log.eventsUpTo(log.head), readModelProjections('Asia/Shanghai'))));
  });
});
