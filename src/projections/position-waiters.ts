import { assert } from '../shared/assert';
import { ProjectionTimeoutError, ProjectionWaitersFullError } from './projection-errors';

interface Waiter {
  readonly position: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Longest wait a read may ask for. */
export const WAIT_TIMEOUT_MAX_MS = 60_000;

/** Reads waiting until a read model reaches a position (X-Min-Position), at most `max` at once. */
export class PositionWaiters {
  private readonly waiting = new Set<Waiter>();

  constructor(private readonly max: number) {
    assert(Number.isSafeInteger(max) && max > 0, `waitersMax must be a positive integer, got ${max}`);
  }

  /** How many reads are waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Resolves once `advance` reaches `position` (at once when `reached` already has); rejects with
   * ProjectionTimeoutError after `timeoutMs`, or ProjectionWaitersFullError when `max` wait already.
   */
  wait(position: number, timeoutMs: number, reached: () => number): Promise<void> {
    assert(Number.isSafeInteger(position) && position >= 0, `a position is a non-negative integer, got ${position}`);
    assert(
      Number.isSafeInteger(timeoutMs) && timeoutMs >= 0 && timeoutMs <= WAIT_TIMEOUT_MAX_MS,
      `timeoutMs must be an integer in 0..${WAIT_TIMEOUT_MAX_MS}, got ${timeoutMs}`,
    );
    if (reached() >= position) return Promise.resolve();
    if (this.waiting.size >= this.max) return Promise.reject(new ProjectionWaitersFullError(this.max));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(waiter);
        reject(new ProjectionTimeoutError(position, reached(), timeoutMs));
      }, timeoutMs);
      const waiter: Waiter = { position, resolve, reject, timer };
      this.waiting.add(waiter);
    });
  }

  /** Resolves every wait for a position up to `reached`. */
  advance(reached: number): void {
    for (const waiter of this.waiting) {
      if (waiter.position > reached) continue;
      clearTimeout(waiter.timer);
      this.waiting.delete(waiter);
      waiter.resolve();
    }
  }

  /** Rejects every wait with `error` (the projector stopped). */
  rejectAll(error: Error): void {
    for (const waiter of this.waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiting.clear();
  }
}
