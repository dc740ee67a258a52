import type { Kysely } from 'kysely';
import { upcastEvent } from '../domain';
import type { LogTail } from './log-tail';
import type { ReadModelDatabase } from './read-model-database';

/** The stream types whose events are public (fed on `events.<streamType>.<eventType>`). */
export const PUBLIC_STREAM_TYPES = ['student', 'application', 'user'] as const;
const PUBLIC_STREAM_TYPE_SET: ReadonlySet<string> = new Set(PUBLIC_STREAM_TYPES);

/**
 * Whose events a reader sees, as REST scopes its reads: an admin every public event; a student
 * their own student stream only; a teacher or club the streams of the applications they
 * submitted.
 */
export type EventScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'student'; readonly studentId: string | null }
  | { readonly kind: 'submitter'; readonly username: string };

/** An event of a public stream, its data in its type's current schema version, as the log holds it (secrets included). */
export interface ScopedEvent {
  readonly position: number;
  readonly streamType: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: unknown;
}

/**
 * Events of the public stream types with `after < position <= upTo` that `scope` lets the reader
 * see, in position order, at most `limit`; also the last position the read covered (upTo when
 * fewer than `limit` rows matched). Taken from `tail` when it holds the whole range (unscoped
 * reads only), else from `event_log`. A submitter's scope reads the `applications` read model, so
 * pass an `upTo` it has reached. The data is the log's, secrets included: whoever shows it strips
 * them (`withoutSecrets`).
 */
export async function readScopedEvents(
  db: Kysely<ReadModelDatabase>,
  after: number,
  upTo: number,
  limit: number,
  tail?: LogTail,
  scope: EventScope = { kind: 'all' },
): Promise<{ events: ScopedEvent[]; coveredTo: number }> {
  if (scope.kind === 'student' && scope.studentId === null) return { events: [], coveredTo: upTo };
  const held = upTo > after && scope.kind === 'all' ? tail?.read(after, upTo - after) : undefined;
  let query = db
    .selectFrom('event_log')
    .select(['position', 'stream_type', 'stream_id', 'type', 'schema_version', 'data'])
    .where('position', '>', after)
    .where('position', '<=', upTo);
  if (scope.kind === 'all') query = query.where('stream_type', 'in', [...PUBLIC_STREAM_TYPES]);
  else if (scope.kind === 'student') query = query.where('stream_type', '=', 'student').where('stream_id', '=', scope.studentId ?? '');
  else {
    const own = db.selectFrom('applications').select('application_id').where('submitted_by', '=', scope.username);
    query = query.where('stream_type', '=', 'application').where('stream_id', 'in', own);
  }
  const rows =
    held !== undefined && held[held.length - 1].position === upTo
      ? held.filter((row) => PUBLIC_STREAM_TYPE_SET.has(row.stream_type)).slice(0, limit)
      : await query.orderBy('position').limit(limit).execute();
  const events = rows.map((row) => ({
    position: Number(row.position),
    streamType: row.stream_type,
    streamId: row.stream_id,
    type: row.type,
    data: upcastEvent({ type: row.type, schemaVersion: Number(row.schema_version), data: parseData(row.data) }).data,
  }));
  const coveredTo = events.length < limit ? upTo : events[events.length - 1].position;
  return { events, coveredTo };
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
