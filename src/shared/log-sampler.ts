/** How many ordinary lines a sampled log writes (every error and slow one is always written). */
export interface LogSampling {
  /** A request at least this slow is always logged. */
  readonly slowMs: number;
  /** Ordinary lines written in full each second; past it, only a sample. */
  readonly perSecondMax: number;
  /** The share of ordinary lines written past `perSecondMax` (0..1; 0: none, 1: all). */
  readonly sampleRate: number;
}

/** Defaults: everything at a light load, 1 in 100 ordinary requests past 20 per second. */
export const DEFAULT_LOG_SAMPLING: LogSampling = { slowMs: 1000, perSecondMax: 20, sampleRate: 0.01 };

/** What the sampler says of one line: written or not, and whether it stands for others skipped. */
export type SampleDecision = 'log' | 'sampled' | 'skip';

/**
 * Decides which access log lines to write, so a node under load does not spend itself on its
 * log: every 4xx/5xx and every slow request, every ordinary one while fewer than `perSecondMax`
 * came in the current second, and past that a deterministic 1 in round(1/sampleRate).
 *
 * @example
 * const sampler = new LogSampler({ slowMs: 1000, perSecondMax: 20, sampleRate: 0.01 }, Date.now);
 * if (sampler.decide(res.statusCode, ms) !== 'skip') log.info(line);
 */
export class LogSampler {
  private windowStart = -Infinity;
  private inWindow = 0;
  private beyond = 0;
  private readonly every: number;

  constructor(
    private readonly sampling: LogSampling,
    private readonly now: () => number,
  ) {
    this.every = sampling.sampleRate > 0 ? Math.max(1, Math.round(1 / sampling.sampleRate)) : Number.POSITIVE_INFINITY;
  }

  /** Whether the line of a request that answered `status` after `ms` is written. */
  decide(status: number, ms: number): SampleDecision {
    if (status >= 400 || ms >= this.sampling.slowMs) return 'log';
    const now = this.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow += 1;
    if (this.inWindow <= this.sampling.perSecondMax) return 'log';
    this.beyond += 1;
    return this.beyond % this.every === 0 ? 'sampled' : 'skip';
  }
}
