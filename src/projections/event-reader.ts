import type { Kysely } from 'kysely';
import type { LogTail } from './log-tail';
import type { EventLogRow } from './logged-event';
import type { ReadModelDatabase } from './read-model-database';
import { integerFromSql } from './sql-values';

/**
 * Reads at most `limit` events after position `after`, in position order (only what projections
 * need): from `tail` when it holds `after + 1`, else from `event_log`.
 */
export async function readEventRows(
  db: Kysely<ReadModelDatabase>,
  after: number,
  limit: number,
  tail?: LogTail,
): Promise<EventLogRow[]> {
  const held = tail?.read(after, limit);
  if (held !== undefined) return held;
  return db
    .selectFrom('event_log')
    .select(['position', 'stream_type', 'stream_id', 'type', 'schema_version', 'data'])
    .where('position', '>', after)
    .orderBy('position')
    .limit(limit)
    .execute();
}

/** The position of the last event in the log (0 when empty): how far projections have to go. */
export async function readLogHead(db: Kysely<ReadModelDatabase>): Promise<number> {
  const row = await db
    .selectFrom('event_log')
    .select((eb) => eb.fn.max('position').as('head'))
    .executeTakeFirst();
  return row?.head == null ? 0 : integerFromSql(row.head);
}
