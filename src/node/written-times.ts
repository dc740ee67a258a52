/** Log heads remembered at most; past it the oldest go (the lag in seconds is then a lower bound). */
export const WRITTEN_TIMES_MAX = 10_000;

/**
 * When each log head was committed on this node, so a reader's lag can be told in seconds: a
 * projection at checkpoint `c` is as far behind as the oldest commit that took the head past `c`.
 * Only heads newer than what every reader has reached need be kept: `forget` drops the rest.
 *
 * @example
 * times.written(120, Date.now());            // each commit
 * times.lagSeconds(100, Date.now());         // seconds since position 101 was committed
 */
export class WrittenTimes {
  private heads: number[] = [];
  private times: number[] = [];

  /** Notes that the log reached `head` at `at` (ms). */
  written(head: number, at: number): void {
    if (this.heads.length > 0 && head <= this.heads[this.heads.length - 1]) return;
    this.heads.push(head);
    this.times.push(at);
    if (this.heads.length > WRITTEN_TIMES_MAX) this.dropFirst(this.heads.length - WRITTEN_TIMES_MAX);
  }

  /** Seconds since the first event after `checkpoint` was committed; 0 when nothing after it is known. */
  lagSeconds(checkpoint: number, now: number): number {
    const i = this.firstAbove(checkpoint);
    return i === this.heads.length ? 0 : Math.max(0, (now - this.times[i]) / 1000);
  }

  /** Drops heads at or below `position` (every reader is past them). */
  forget(position: number): void {
    this.dropFirst(this.firstAbove(position));
  }

  private firstAbove(position: number): number {
    let lo = 0;
    let hi = this.heads.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.heads[mid] <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private dropFirst(n: number): void {
    if (n <= 0) return;
    this.heads = this.heads.slice(n);
    this.times = this.times.slice(n);
  }
}
