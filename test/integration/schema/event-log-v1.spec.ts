import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { AggregateStore } from '../../../src/application/aggregate-store';
import { EVENT_SCHEMAS } from '../../../src/domain';
import type { EventRow } from '../../../src/infra/mysql/command-record';
import { createKysely, type Database } from '../../../src/infra/mysql/database';
import { readPublicEvents } from '../../../src/messaging/public/public-events';
import {
  ProjectionRebuild,
  Projector,
  READ_MODELS,
  type ReadModelDatabase,
  dumpReadModels,
  foldReadModels,
  loggedEvent,
  readModelDb,
} from '../../../src/projections';
import { MYSQL_URL } from '../mysql/test-database';
import { type ProjectionTestDatabase, createProjectionTestDatabase, plain } from '../projections/projection-test-support';
import { MysqlAggregateSource } from '../../../src/infra/mysql/aggregate-source';

/**
 * A log written by a release that wrote every event in schema version 1 (its own deciders and
 * planCommand; see test/fixtures/write-event-log-v1.js), read by this release.
 */
const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'event-log-v1.ndjson');
const rows: EventRow[] = readFileSync(FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as EventRow);
/** The types whose schema version went past 1, and what version 2 added. */
const RAISED = ['ScoreModified', 'ApplicationSubmitted'];

describe('a version-1 event log read by this release (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  let rebuildDb: Kysely<ReadModelDatabase>;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
    rebuildDb = readModelDb(createKysely(MYSQL_URL, test.name, 4));
    // The fixture's rows predate the command key (migration 0017): number each command's events as the migration does.
    const first = new Map<string, number>();
    for (const row of rows) if (!first.has(row.command_id)) first.set(row.command_id, row.position);
    await test.db
      .insertInto('event_log')
      .values(rows.map((row) => ({ ...row, command_index: row.position - first.get(row.command_id)! })))
      .execute();
  }, 60_000);

  afterAll(async () => {
    await rebuildDb?.destroy();
    await test?.drop();
  }, 60_000);

  it('holds only version 1 events, of every event type there is', () => {
    expect(new Set(rows.map((r) => r.schema_version))).toEqual(new Set([1]));
    // Every type of the release that wrote it; types added since have no version-1 history to read.
    const addedSince = new Set(['ReasonCreated', 'ReasonUpdated', 'UserPasswordReset', 'UserRenamed', 'UserClassesAssigned', 'UserSessionEnded']);
    expect([...new Set(rows.map((r) => r.type))].sort()).toEqual(Object.keys(EVENT_SCHEMAS).filter((t) => !addedSince.has(t)).sort());
  });

  it('reads ScoreModified and ApplicationSubmitted as version 2 with a null reasonCode, and every other event as written', () => {
    for (const row of rows) {
      const event = loggedEvent(row);
      const written = JSON.parse(row.data) as Record<string, unknown>;
      if (RAISED.includes(row.type)) {
        expect(written).not.toHaveProperty('reasonCode');
        expect(event).toMatchObject({ type: row.type, schemaVersion: 2, data: { ...written, reasonCode: null } });
      } else {
        expect(event).toMatchObject({ type: row.type, schemaVersion: 1, data: written });
      }
    }
  });

  it('folds into the aggregates a node decides on', async () => {
    const store = new AggregateStore(new MysqlAggregateSource(test.db as unknown as Kysely<Database>));
    await store.load();
    expect(store.student('s-1')).toMatchObject({ exists: true, score: 117, className: '7a', archived: false, frozen: false });
    expect(store.student('s-2')).toMatchObject({ exists: true, name: 'Bobby', score: 97, className: '7b', frozen: false });
    expect(store.student('s-3')).toMatchObject({ exists: true, score: 122, archived: true, frozen: false });
    expect(store.application('a-1')).toMatchObject({ status: 'approved', delta: 10, submittedBy: 'tina' });
    expect(store.application('a-2')).toMatchObject({ status: 'rejected' });
    expect(store.user('sam')).toMatchObject({ role: 'student', studentId: 's-1', disabled: false });
    expect(store.user('tina')).toMatchObject({ role: 'teacher', disabled: false });
    expect(['g-1', 'g-2', 'g-3', 'g-4'].map((id) => store.saga(id).status)).toEqual(['completed', 'compensated', 'compensated', 'completed']);
    expect(store.openSagaCount).toBe(0);
  });

  it('projects into the read models, live and by a rebuild, both equal to the fold of the log', async () => {
    const fold = plain(foldReadModels(rows.map(loggedEvent)));
    const projector = new Projector(test.db, READ_MODELS);
    await projector.catchUp();
    const live = plain(await dumpReadModels(test.db));
    expect(live).toEqual(fold);
    expect(live.students).toEqual([
      expect.objectContaining({ student_id: 's-1', score: 117 }),
      expect.objectContaining({ student_id: 's-2', name: 'Bobby', score: 97 }),
      expect.objectContaining({ student_id: 's-3', score: 122, archived: true }),
    ]);
    expect(live.applications.map((a) => (a as { status: string }).status)).toEqual(['approved', 'rejected']);
    expect(live.score_records).toHaveLength(rows.filter((r) => r.type === 'ScoreModified').length);
    expect(live.archives).toEqual(expect.arrayContaining([expect.objectContaining({ archive_id: 'g-4', status: 'completed' })]));
    await new ProjectionRebuild(rebuildDb, { bulkLoader: null }).run();
    expect(plain(await dumpReadModels(test.db))).toEqual(fold);
  }, 60_000);

  it('feeds the events in their current version', async () => {
    const { events } = await readPublicEvents(test.db, 0, rows.length, 1000);
    const raised = events.filter((e) => RAISED.includes(e.type));
    expect(raised.length).toBe(rows.filter((r) => RAISED.includes(r.type)).length);
    for (const event of raised) expect(event.data).toMatchObject({ reasonCode: null });
  });
});
