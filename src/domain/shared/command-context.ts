import { assert } from '../../shared/assert';
import type { Actor } from './actor';

/** A point in time as the leader decided it: an ISO-8601 string or epoch milliseconds. */
export type Timestamp = string | number;

/**
 * What a decision needs besides state and command: who acts and when. `now` is decided by the
 * leader and passed in; the domain never reads a clock, so replays decide the same way.
 */
export interface CommandContext {
  readonly actor: Actor;
  readonly now: Timestamp;
}

/**
 * The ISO-8601 UTC form events record for a timestamp. An unreadable timestamp is a programmer
 * error (the leader's clock value is always well formed) and fails an assertion.
 *
 * @example isoTime(0) // '1970-01-01T00:00:00.000Z'
 */
export function isoTime(now: Timestamp): string {
  const ms = typeof now === 'number' ? now : Date.parse(now);
  assert(Number.isFinite(ms), `now must be an ISO-8601 string or epoch milliseconds, got ${JSON.stringify(now)}`);
  return new Date(ms).toISOString();
}
