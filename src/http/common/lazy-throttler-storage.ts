import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/** One client's window for one throttler. */
interface Window {
  startedAt: number;
  hits: number;
  blockedUntil: number;
  /** When this entry may be forgotten: its window and any block have ended. */
  expiresAt: number;
}

/** Keys (client x throttler) held at most; past it the oldest are dropped first. */
export const THROTTLER_KEYS_MAX = 100_000;
/** Every this many hits, expired keys are swept (no timer ever runs). */
const SWEEP_EVERY_HITS = 4096;

/**
 * Rate-limit counts that expire lazily: a fixed window per key that restarts when a hit finds it
 * over, and a sweep of expired keys every SWEEP_EVERY_HITS hits. @nestjs/throttler's own storage
 * sets one timer per request to take each hit back; this one sets none.
 *
 * @example ThrottlerModule.forRoot({ throttlers: [{ name: 'burst', ttl: 1000, limit: 100 }], storage: new LazyThrottlerStorage() })
 */
export class LazyThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private hitsSinceSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a hit of `key` (ttl and blockDuration in ms) and says whether the key is blocked; the key already names the throttler. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    return this.hit(key, ttl, limit, blockDuration);
  }

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  /** The synchronous body of `increment`. */
  hit(key: string, ttl: number, limit: number, blockDuration: number): ThrottlerStorageRecord {
    const now = this.now();
    if (++this.hitsSinceSweep >= SWEEP_EVERY_HITS || this.windows.size >= THROTTLER_KEYS_MAX) this.sweep(now);
    let window = this.windows.get(key);
    if (window === undefined || (now >= window.startedAt + ttl && now >= window.blockedUntil)) {
      window = { startedAt: now, hits: 0, blockedUntil: 0, expiresAt: now + ttl };
      this.windows.delete(key);
      this.windows.set(key, window);
    }
    const blocked = now < window.blockedUntil;
    if (!blocked) {
      window.hits += 1;
      if (window.hits > limit) {
        window.blockedUntil = now + blockDuration;
        window.expiresAt = Math.max(window.expiresAt, window.blockedUntil);
      }
    }
    return {
      totalHits: window.hits,
      timeToExpire: Math.max(0, Math.ceil((window.startedAt + ttl - now) / 1000)),
      isBlocked: now < window.blockedUntil,
      timeToBlockExpire: Math.max(0, Math.ceil((window.blockedUntil - now) / 1000)),
    };
  }

  /** Forgets expired keys; if still full, the oldest ones (Map order is insertion order). */
  private sweep(now: number): void {
    this.hitsSinceSweep = 0;
    for (const [key, window] of this.windows) if (now >= window.expiresAt) this.windows.delete(key);
    for (const key of this.windows.keys()) {
      if (this.windows.size < THROTTLER_KEYS_MAX) break;
      this.windows.delete(key);
    }
  }
}
