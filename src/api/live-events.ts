import type { Actor } from '../domain';

/** Fields never shown outside the node, whatever event carries them. */
const SECRET_FIELDS = new Set(['passwordHash', 'password', 'password_hash']);

/** `data` without secrets (UserCreated's passwordHash and the like), at any depth. */
export function withoutSecrets(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(withoutSecrets);
  if (typeof data !== 'object' || data === null) return data;
  return Object.fromEntries(
    Object.entries(data)
      .filter(([key]) => !SECRET_FIELDS.has(key))
      .map(([key, value]) => [key, withoutSecrets(value)]),
  );
}

/** An applied event as the live stream (`GET /api/stream`) sends it: `id` is its position. */
export interface LiveEvent {
  readonly position: number;
  readonly streamType: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: unknown;
}

/** What the scope of an event needs to know besides the event: who submitted an application. */
export interface ScopeLookup {
  /** The username that submitted the application, or undefined when unknown. */
  submitterOf(applicationId: string): string | undefined;
}

/** Stream types some signed-in user may receive live; every other stream (log, membership, …) is internal. */
export const LIVE_STREAM_TYPES: ReadonlySet<string> = new Set(['student', 'application', 'user', 'reason', 'saga', 'archive']);

/**
 * Whether `actor` may receive `event` live, scoped like the REST reads: an admin receives every
 * live stream; a teacher or club the events of the applications they submitted, the reason
 * catalogue and their own user stream (what `GET /api/auth/me` shows them: their classes); a
 * student only the events of their own student stream.
 *
 * @example eventVisibleTo({ username: 'kim', role: 'student', studentId: 's-1' }, scoreModifiedOfS1, lookup) // true
 */
export function eventVisibleTo(actor: Actor, event: Pick<LiveEvent, 'streamType' | 'streamId'>, lookup: ScopeLookup): boolean {
  if (!LIVE_STREAM_TYPES.has(event.streamType)) return false;
  switch (actor.role) {
    case 'admin':
      return true;
    case 'teacher':
    case 'club':
      if (event.streamType === 'reason') return true;
      if (event.streamType === 'user') return event.streamId === actor.username;
      return event.streamType === 'application' && lookup.submitterOf(event.streamId) === actor.username;
    case 'student':
      return event.streamType === 'student' && actor.studentId !== undefined && event.streamId === actor.studentId;
    default:
      return false;
  }
}

/**
 * Where a node's live events come from: the head of its written log, a signal after each written
 * batch, and reads of the log after a position (bounded, in position order).
 */
export interface LiveEventSource extends ScopeLookup {
  /** The last position written to this node's log. */
  readonly writtenHead: number;
  /** Calls `listener` after each written batch; answers a function that stops calling it. */
  onWritten(listener: () => void): () => void;
  /**
   * The live events among at most `limit` log events after `after`, oldest first, secrets
   * stripped, and the last position that read covered (`after` when there was nothing to read).
   */
  readAfter(after: number, limit: number): Promise<{ events: LiveEvent[]; coveredTo: number }>;
}
