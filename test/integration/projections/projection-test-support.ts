import { READ_MODEL_TABLES } from '../../../src/projections/read-model-tables';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DomainEvent } from '../../../src/domain';
import { type EventRow, planCommand } from '../../../src/infra/mysql/command-record';
import * as readModelsMigration from '../../../src/infra/mysql/migrations/0004-read-models';
import {
  type LoggedEvent,
  type ReadModelDatabase,
  type ReadModelState,
  loggedEvent,
  readModelDb,
} from '../../../src/projections';
import { createTestDatabase } from '../mysql/test-database';

/** A throwaway `behavior_test_<random>` database with the event log and the read models. */
export interface ProjectionTestDatabase {
  readonly name: string;
  readonly db: Kysely<ReadModelDatabase>;
  drop(): Promise<void>;
}

/**
 * Creates and migrates a test database, then runs migration 0004 unless `migrateToLatest`
 * already did (once it is listed in migrations/index.ts).
 */
export async function createProjectionTestDatabase(): Promise<ProjectionTestDatabase> {
  const test = await createTestDatabase();
  const db = readModelDb(test.db.withTables<Omit<ReadModelDatabase, 'event_log'>>());
  const { rows } = await sql<{
    n: number;
  }>`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'students'`.execute(
    db,
  );
  if (Number(rows[0].n) === 0) await readModelsMigration.up(db as unknown as Kysely<unknown>);
  return { name: test.name, db, drop: () => test.drop() };
}

/** Empties the log, the read models and the checkpoints (between fast-check runs). */
export async function clearAll(db: Kysely<ReadModelDatabase>): Promise<void> {
  for (const table of [
    'event_log',
    'students',
    'score_records',
    'applications',
    'users',
    'archives',
    'archive_students',
    'reasons',
    'student_daily_scores',
    'projection_checkpoints',
  ] as const) {
    await db.deleteFrom(table).execute();
  }
}

/** Rows of event_log inserted per statement. */
const INSERT_ROWS_MAX = 1000;

/**
 * Appends commands' events to `event_log` the way the node does (planCommand gives positions,
 * stream versions and metadata), one slot per command.
 */
export class TestEventLog {
  private nextPosition = 1;
  private slot = 0;
  private readonly versions = new Map<string, number>();
  /** Every row appended, in position order. */
  readonly rows: EventRow[] = [];

  constructor(private readonly db: Kysely<ReadModelDatabase>) {}

  /** The position of the last event appended. */
  get head(): number {
    return this.nextPosition - 1;
  }

  /** Appends each command's events as one log entry; returns the rows written. */
  async append(commands: readonly (readonly DomainEvent[])[]): Promise<EventRow[]> {
    const rows: EventRow[] = [];
    for (const events of commands) {
      this.slot += 1;
      const metadata = { actor: 'test', decidedAt: '2025-03-01T08:00:00.000Z' };
      const planned = planCommand(
        this.slot,
        `cmd-${this.slot}`,
        { events, metadata },
        this.nextPosition,
        (k) => this.versions.get(k) ?? 0,
      );
      for (const row of planned.rows) this.versions.set(`${row.stream_type}/${row.stream_id}`, row.stream_version);
      this.nextPosition += planned.rows.length;
      rows.push(...planned.rows);
    }
    for (let i = 0; i < rows.length; i += INSERT_ROWS_MAX) {
      await this.db
        .insertInto('event_log')
        .values(rows.slice(i, i + INSERT_ROWS_MAX))
        .execute();
    }
    this.rows.push(...rows);
    return rows;
  }

  /** The logged events up to `position`, as projections read them. */
  eventsUpTo(position: number): LoggedEvent[] {
    return this.rows.filter((r) => r.position <= position).map(loggedEvent);
  }
}

/** A ReadModelState as plain, order-independent data for toEqual. */
export function plain(state: ReadModelState): Record<string, unknown[]> {
  const sorted = (m: Map<string | number, unknown>) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  // Every table of the read models, so a new one is compared without a change here.
  return Object.fromEntries(READ_MODEL_TABLES.map((table) => [table, sorted(state[table] as Map<string | number, unknown>)]));
}
