import { type Kysely, sql } from 'kysely';
import type { DomainEvent } from '../../../src/domain';
import { openBulkLoader } from '../../../src/infra/mysql/bulk-loader';
import { createKysely } from '../../../src/infra/mysql/database';
import {
  ProjectionRebuild,
  Projector,
  READ_MODELS,
  REBUILD_LOCK,
  type ReadModelDatabase,
  RebuildBusyError,
  RebuildInterruptedError,
  dumpReadModels,
  foldReadModels,
  readCheckpoints,
  readModelDb,
} from '../../../src/projections';
import { applicationApproved, applicationSubmitted, scoreModified, studentRegistered, userCreated } from '../../domain/fixtures';
import { jsonOf, runCli, startCli } from '../../support/cli';
import { MYSQL_URL } from '../mysql/test-database';
import { type ProjectionTestDatabase, TestEventLog, createProjectionTestDatabase, plain } from './projection-test-support';

const STUDENTS = 200;

/** A school's log: students, users, score changes spread over the students, an approved application. */
function schoolCommands(changes: number): DomainEvent[][] {
  const commands: DomainEvent[][] = [];
  const scores = new Array<number>(STUDENTS).fill(100);
  for (let i = 0; i < STUDENTS; i += 1) commands.push([studentRegistered(100, `s-${i}`)]);
  commands.push([userCreated('kim', 'student', 's-1')], [userCreated('ms.lee', 'teacher')]);
  for (let n = 0; n < changes; n += 1) {
    const i = n % STUDENTS;
    const delta = n % 2 === 0 ? 1 : -1;
    commands.push([scoreModified(delta, scores[i], { studentId: `s-${i}`, reason: n % 7 === 0 ? 'tabs\tand\nnewlines \\ too' : 'helped' })]);
    scores[i] += delta;
  }
  commands.push([applicationSubmitted(5)], [applicationApproved(5, 105), scoreModified(5, 100, { studentId: 's-1', source: 'application', applicationId: 'app-1' })]);
  return commands;
}

/** Every table a rebuild may leave behind, present in the database. */
async function rebuildLeftovers(db: Kysely<ReadModelDatabase>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'rebuild%'`.execute(db);
  return rows.map((r) => r.name);
}

async function expectLiveEqualsFold(test: ProjectionTestDatabase, log: TestEventLog): Promise<void> {
  const [checkpoint] = (await readCheckpoints(test.db)).filter((c) => c.name === READ_MODELS.name);
  expect(checkpoint.position).toBe(log.head);
  expect(plain(await dumpReadModels(test.db))).toEqual(plain(foldReadModels(log.eventsUpTo(log.head))));
}

describe('projections:rebuild: shadow tables swapped in without downtime (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  /** The rebuild's own pool, as the CLI has in its own process. */
  let rebuildDb: Kysely<ReadModelDatabase>;

  beforeEach(async () => {
    test = await createProjectionTestDatabase();
    rebuildDb = readModelDb(createKysely(MYSQL_URL, test.name, 6));
  });
  afterEach(async () => {
    await rebuildDb.destroy();
    await test.drop();
  });

  it('rebuilds while writes go on: reads never fail nor shrink, and the tables end equal to the fold of the log', async () => {
    const log = new TestEventLog(test.db);
    await log.append(schoolCommands(6000));
    const projector = new Projector(test.db, READ_MODELS, { pollIntervalMs: 20 });
    await projector.catchUp();
    const running = projector.run();

    // Writes: a new student and two score changes per entry, every few milliseconds.
    let writing = true;
    let added = 0;
    const writer = (async () => {
      for (let k = 0; writing && k < 5000; k += 1) {
        const id = `new-${k}`;
        await log.append([[studentRegistered(100, id)], [scoreModified(3, 100, { studentId: id })], [scoreModified(-1, 103, { studentId: id })]]);
        added += 1;
        projector.notify(log.head);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    // Reads: counts of the live tables, which a missing or half-built table would break.
    const seen: { students: number; records: number }[] = [];
    const readErrors: unknown[] = [];
    let reading = true;
    const reader = (async () => {
      for (let k = 0; reading && k < 20_000; k += 1) {
        try {
          const { rows } = await sql<{ students: number; records: number }>`
            SELECT (SELECT COUNT(*) FROM students) AS students, (SELECT COUNT(*) FROM score_records) AS records`.execute(test.db);
          seen.push({ students: Number(rows[0].students), records: Number(rows[0].records) });
        } catch (error) {
          readErrors.push(error);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    const loader = await openBulkLoader(MYSQL_URL, test.name);
    const phases = new Set<string>();
    const result = await new ProjectionRebuild(rebuildDb, { batchEvents: 500, writers: 2, bulkLoader: loader, onProgress: (p) => phases.add(p.phase) })
      .run()
      .finally(() => loader?.close());
    writing = false;
    await writer;
    reading = false;
    await reader;
    await projector.catchUp();
    await projector.stop();
    await running;

    expect(readErrors).toEqual([]);
    expect(added).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen[0].students).toBeGreaterThanOrEqual(STUDENTS);
    for (let i = 1; i < seen.length; i += 1) {
      expect(seen[i].students).toBeGreaterThanOrEqual(seen[i - 1].students);
      expect(seen[i].records).toBeGreaterThanOrEqual(seen[i - 1].records);
    }
    expect(result.resumed).toBe(false);
    expect(result.position).toBeGreaterThanOrEqual(6000);
    expect([...phases]).toEqual(expect.arrayContaining(['replay', 'swap', 'done']));
    await expectLiveEqualsFold(test, log);
    expect(await rebuildLeftovers(test.db)).toEqual([]);
    expect((await readCheckpoints(test.db)).map((c) => c.name)).toEqual([READ_MODELS.name]);
    // The swapped-in tables carry the live tables' indexes.
    const { rows: indexes } = await sql<{ name: string }>`
      SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'score_records' ORDER BY INDEX_NAME`.execute(test.db);
    expect(indexes.map((i) => i.name)).toEqual(['PRIMARY', 'score_records_at', 'score_records_student']);
  }, 120_000);

  it('rebuilds one projection and leaves the other tables alone', async () => {
    const log = new TestEventLog(test.db);
    await log.append(schoolCommands(500));
    const projector = new Projector(test.db, READ_MODELS);
    await projector.catchUp();
    // Damage two tables; only the rebuilt one is repaired.
    await test.db.updateTable('students').set({ score: -1 }).execute();
    const deleted = Number((await test.db.deleteFrom('score_records').where('position', '<=', 300).executeTakeFirst()).numDeletedRows);
    expect(deleted).toBeGreaterThan(0);
    const result = await new ProjectionRebuild(rebuildDb, { projection: 'students', bulkLoader: null }).run();
    expect(result.tables).toEqual(['students']);
    const fold = plain(foldReadModels(log.eventsUpTo(log.head)));
    const dump = plain(await dumpReadModels(test.db));
    expect(dump.students).toEqual(fold.students);
    expect(dump.score_records.length).toBe(fold.score_records.length - deleted);
    expect(await rebuildLeftovers(test.db)).toEqual([]);
  }, 60_000);

  it('stops after a batch when aborted, resumes from its checkpoint, and refuses a second rebuild at once', async () => {
    const log = new TestEventLog(test.db);
    await log.append(schoolCommands(3000));
    const projector = new Projector(test.db, READ_MODELS);
    await projector.catchUp();
    const abort = new AbortController();
    const first = new ProjectionRebuild(rebuildDb, {
      batchEvents: 400,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === 'replay' && p.done >= 800) abort.abort();
      },
    });
    await expect(first.run()).rejects.toBeInstanceOf(RebuildInterruptedError);
    const stopped = (await readCheckpoints(test.db)).find((c) => c.name === 'rebuild:all');
    expect(stopped?.position).toBeGreaterThanOrEqual(800);

    // While one holds the lock, another is refused.
    const other = readModelDb(createKysely(MYSQL_URL, test.name, 4));
    try {
      await other.connection().execute(async (conn) => {
        await sql`SELECT GET_LOCK(${REBUILD_LOCK}, 0)`.execute(conn);
        await expect(new ProjectionRebuild(rebuildDb).run()).rejects.toBeInstanceOf(RebuildBusyError);
        await sql`SELECT RELEASE_LOCK(${REBUILD_LOCK})`.execute(conn);
      });
    } finally {
      await other.destroy();
    }

    // A rebuild of another database on the same MySQL server (another node, another test) is no obstacle.
    // The lock is taken from a session whose current database is another one (MySQL's own `mysql`).
    const lockHolder = readModelDb(createKysely(MYSQL_URL, test.name, 1));
    const second = await lockHolder
      .connection()
      .execute(async (conn) => {
        await sql`USE mysql`.execute(conn);
        const { rows } = await sql<{ got: number }>`SELECT GET_LOCK(${REBUILD_LOCK}, 0) AS got`.execute(conn);
        expect(Number(rows[0]!.got)).toBe(1);
        try {
          return await new ProjectionRebuild(rebuildDb, { batchEvents: 400 }).run();
        } finally {
          await sql`SELECT RELEASE_LOCK(${REBUILD_LOCK})`.execute(conn);
        }
      })
      .finally(() => lockHolder.destroy());
    expect(second.resumed).toBe(true);
    expect(second.resumedFrom).toBe(stopped!.position);
    await expectLiveEqualsFold(test, log);
  }, 60_000);

  it('a rebuild killed with SIGKILL resumes where it stopped when run again (the CLI)', async () => {
    const log = new TestEventLog(test.db);
    await log.append(schoolCommands(40_000));
    const projector = new Projector(test.db, READ_MODELS, { batchEventsMax: 20_000 });
    await projector.catchUp();
    const env = { CLUSTER_NODES: 'n1', MYSQL_URL, MYSQL_DATABASE_N1: test.name };
    const args = ['projections:rebuild', '--node', 'n1', '--batch', '500', '--writers', '1', '--json'];

    const killed = startCli(args, env, 150_000);
    let exited = false;
    void killed.done.then(() => (exited = true));
    let killedAt = -1;
    // Bounded in time, not in polls: on a busy machine the CLI may take long to start.
    const deadline = Date.now() + 120_000;
    while (killedAt < 0 && !exited && Date.now() < deadline) {
      const mine = (await readCheckpoints(test.db)).find((c) => c.name === 'rebuild:all');
      if (mine !== undefined && mine.position >= 5000) {
        killed.child.kill('SIGKILL');
        killedAt = mine.position;
      } else await new Promise((r) => setTimeout(r, 10));
    }
    const run1 = await killed.done;
    if (run1.signal !== 'SIGKILL') console.log(`the rebuild was not killed: exit ${run1.code}\n${run1.stdout}\n${run1.stderr}`);
    expect(run1.signal).toBe('SIGKILL');
    expect(killedAt).toBeGreaterThanOrEqual(5000);
    const left = (await readCheckpoints(test.db)).find((c) => c.name === 'rebuild:all');
    expect(left!.position).toBeGreaterThanOrEqual(killedAt);
    expect(left!.position).toBeLessThan(log.head);

    const run2 = await runCli(args, env);
    expect(run2.code).toBe(0);
    const result = jsonOf(run2);
    expect(result).toMatchObject({ ok: true, node: 'n1', resumed: true, position: log.head });
    expect(result.resumedFrom).toBeGreaterThanOrEqual(left!.position);
    expect(result.events).toBe(log.head - (result.resumedFrom as number));
    for (const field of ['projections', 'tables', 'seconds', 'eventsPerSecond', 'swapPauseMs']) expect(result).toHaveProperty(field);
    await expectLiveEqualsFold(test, log);
    expect(await rebuildLeftovers(test.db)).toEqual([]);
  }, 240_000);
});
