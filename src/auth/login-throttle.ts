import { assert } from '../shared/assert';

/** How failed logins are limited; see LoginThrottle. */
export interface LoginThrottleOptions {
  /** Failed logins that lock an account for a while (each further one locks it longer). */
  readonly accountFailuresMax: number;
  /** Failed logins from one client address (over all accounts) that lock the address likewise. */
  readonly addressFailuresMax: number;
  /** The first lock; each further failure doubles it, up to lockMaxMs. */
  readonly lockBaseMs: number;
  readonly lockMaxMs: number;
  /** Failures older than this (since the last one) are forgotten. */
  readonly forgetAfterMs: number;
}

/** OWASP-style defaults: 5 failures per account, 20 per address, then locks of 1 s, 2 s, 4 s … up to 15 min. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  accountFailuresMax: 5,
  addressFailuresMax: 20,
  lockBaseMs: 1000,
  lockMaxMs: 15 * 60_000,
  forgetAfterMs: 15 * 60_000,
};
/** Accounts and addresses tracked at most; the least recently failed are forgotten first. */
export const LOGIN_THROTTLE_ENTRIES_MAX = 50_000;

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil: number;
}

/**
 * Failed-login limits per account and per client address, with exponential backoff: the
 * accountFailuresMax-th failure locks the account for lockBaseMs, each further one for twice as
 * long as the one before, at most lockMaxMs (the same per address). A locked login is refused before its password is checked, so a lock also
 * saves the scrypt work. A success clears its account's failures, not its address's. Limits are
 * per node (each node counts what it serves).
 *
 * @example
 * const throttle = new LoginThrottle(DEFAULT_LOGIN_THROTTLE, Date.now);
 * const wait = throttle.lockedFor('kim', '10.0.0.7'); // seconds to wait, or 0
 * if (wrongPassword) throttle.failed('kim', '10.0.0.7'); else throttle.succeeded('kim');
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Failures>();

  constructor(
    private readonly options: LoginThrottleOptions,
    private readonly now: () => number,
  ) {
    for (const [name, value] of Object.entries(options)) assert(Number.isSafeInteger(value) && value >= 1, `login throttle ${name} must be a positive integer, got ${value}`);
  }

  /** Whole seconds until a login for `username` from `address` may be tried again; 0 when it may now. */
  lockedFor(username: string, address: string): number {
    const now = this.now();
    const until = Math.max(this.lockOf(accountKey(username), now), this.lockOf(addressKey(address), now));
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Counts a failed login against the account and the address. */
  failed(username: string, address: string): void {
    const now = this.now();
    this.count(accountKey(username), this.options.accountFailuresMax, now);
    this.count(addressKey(address), this.options.addressFailuresMax, now);
  }

  /** A correct login: the account's failures are forgotten. */
  succeeded(username: string): void {
    this.entries.delete(accountKey(username));
  }

  private lockOf(key: string, now: number): number {
    const entry = this.entries.get(key);
    if (entry === undefined) return 0;
    if (now - entry.lastAt > this.options.forgetAfterMs && entry.lockedUntil <= now) {
      this.entries.delete(key);
      return 0;
    }
    return entry.lockedUntil;
  }

  private count(key: string, max: number, now: number): void {
    const previous = this.entries.get(key);
    const stale = previous !== undefined && now - previous.lastAt > this.options.forgetAfterMs && previous.lockedUntil <= now;
    const entry = previous === undefined || stale ? { count: 0, lastAt: now, lockedUntil: 0 } : previous;
    entry.count += 1;
    entry.lastAt = now;
    const over = entry.count - max;
    if (over >= 0) entry.lockedUntil = now + Math.min(this.options.lockMaxMs, this.options.lockBaseMs * 2 ** Math.min(over, 30));
    // Re-inserted, so the map's order is least recently failed first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > LOGIN_THROTTLE_ENTRIES_MAX) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Usernames compare as the domain stores them; case is folded so `Kim` and `kim` share a budget. */
function accountKey(username: string): string {
  return `account:${String(username).toLowerCase()}`;
}

function addressKey(address: string): string {
  return `address:${address}`;
}
