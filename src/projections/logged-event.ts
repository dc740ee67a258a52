import type { DomainEvent } from '../domain';
import { isoTime, upcastEvent } from '../domain';
import type { EventRow } from '../infra/mysql/command-record';
import { assert } from '../shared/assert';

/** An event as read from the log: its global position, its stream and its data, in its type's current schema version. */
export interface LoggedEvent {
  readonly position: number;
  readonly streamType: string;
  readonly streamId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/** A domain event with the position the log gave it. */
export type Logged<E extends DomainEvent> = E & { readonly position: number };

/** The columns of `event_log` projections read. */
export type EventLogRow = Pick<EventRow, 'position' | 'stream_type' | 'stream_id' | 'type' | 'schema_version' | 'data'>;

/**
 * The event a log row holds, its data parsed and upcast to its type's current schema version
 * (`upcastEvent`). A row that is not what the event store writes (a position that is not a safe
 * integer, data that is not JSON, a schema version newer than this release reads) is a broken
 * invariant.
 */
export function loggedEvent(row: EventLogRow): LoggedEvent {
  const position = Number(row.position);
  if (!Number.isSafeInteger(position) || position <= 0)
    assert(false, `event_log position must be a positive safe integer, got ${row.position}`);
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch (error) {
    assert(false, `event_log position ${position} holds data that is not JSON: ${String(error)}`);
  }
  return upcastEvent({
    position,
    streamType: row.stream_type,
    streamId: row.stream_id,
    type: row.type,
    schemaVersion: Number(row.schema_version),
    data,
  });
}

/** ISO-8601 UTC with milliseconds, as the domain writes times (`isoTime`). */
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An event's time in the canonical form rows store (the domain already writes it so; anything
 * else it can parse is normalized, so the read model and the fold agree to the millisecond).
 *
 * @example eventTime('2025-03-01T08:00:00Z') // '2025-03-01T08:00:00.000Z'
 */
export function eventTime(at: string): string {
  return CANONICAL_TIME.test(at) ? at : isoTime(at);
}
