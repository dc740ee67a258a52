import type { Actor } from '../../domain';
import type { LogTail } from '../../projections/log-tail';
import { type EventScope, readScopedEvents } from '../../projections/public-events';
import type { ReadModelDb } from '../../projections/read-model-database';
import { type LiveEvent, withoutSecrets } from '../../api/live-events';

export { PUBLIC_STREAM_TYPES, type EventScope } from '../../projections/public-events';

/** `data` without secrets: one rule for the feed, `query.events.read` and the live stream. */
export { withoutSecrets };

/** An event as the public feed and `query.events.read` show it (the live stream's shape): its data in its type's current schema version. */
export type PublicEvent = LiveEvent;

/** The scope of `actor`'s event reads. */
export function eventScopeOf(actor: Actor): EventScope {
  if (actor.role === 'admin') return { kind: 'all' };
  if (actor.role === 'student') return { kind: 'student', studentId: actor.studentId ?? null };
  return { kind: 'submitter', username: actor.username };
}

/**
 * Public events with `after < position <= upTo` that `scope` lets the reader see, without
 * secrets, in position order, at most `limit`; also the last position the read covered (see
 * `readScopedEvents`).
 */
export async function readPublicEvents(
  db: ReadModelDb,
  after: number,
  upTo: number,
  limit: number,
  tail?: LogTail,
  scope: EventScope = { kind: 'all' },
): Promise<{ events: PublicEvent[]; coveredTo: number }> {
  const { events, coveredTo } = await readScopedEvents(db, after, upTo, limit, tail, scope);
  return { events: events.map((event) => ({ ...event, data: withoutSecrets(event.data) })), coveredTo };
}
