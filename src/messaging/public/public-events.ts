import type { Kysely } from 'kysely';
import type { Database } from '../../infra/mysql/database';
import type { LogTail } from '../../projections/log-tail';
import { type LiveEvent, withoutSecrets } from '../../api/live-events';

/** The stream types whose events are public (fed on `events.<streamType>.<eventType>`). */
export const PUBLIC_STREAM_TYPES = ['student', 'application', 'user'] as const;
const PUBLIC_STREAM_TYPE_SET: ReadonlySet<string> = new Set(PUBLIC_STREAM_TYPES);

/** `data` without secrets: one rule for the feed, `query.events.read` and the live stream. */
export { withoutSecrets };

/** An event as the public feed and `query.events.read` show it (the live stream's shape). */
export type PublicEvent = LiveEvent;

/**
 * Public events with `after < position <= upTo`, in position order, at most `limit`; also the
 * last position the read covered (upTo when fewer than `limit` rows matched). Taken from `tail`
 * when it holds the whole range, else from `event_log`.
 */
export async function readPublicEvents(
  db: Kysely<Database>,
  after: number,
  upTo: number,
  limit: number,
  tail?: LogTail,
): Promise<{ events: PublicEvent[]; coveredTo: number }> {
  const held = upTo > after ? tail?.read(after, upTo - after) : undefined;
  const rows =
    held !== undefined && held[held.length - 1].position === upTo
      ? held.filter((row) => PUBLIC_STREAM_TYPE_SET.has(row.stream_type)).slice(0, limit)
      : await db
    .selectFrom('event_log')
    .select(['position', 'stream_type', 'stream_id', 'type', 'data'])
    .where('position', '>', after)
    .where('position', '<=', upTo)
    .where('stream_type', 'in', [...PUBLIC_STREAM_TYPES])
    .orderBy('position')
    .limit(limit)
    .execute();
  const events = rows.map((row) => ({
    position: Number(row.position),
    streamType: row.stream_type,
    streamId: row.stream_id,
    type: row.type,
    data: withoutSecrets(parseData(row.data)),
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
