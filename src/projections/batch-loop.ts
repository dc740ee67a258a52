import { assert } from '../shared/assert';

const ERROR_BACKOFF_MIN_MS = 50;
const ERROR_BACKOFF_MAX_MS = 5000;

/** How a BatchLoop paces itself. */
export interface BatchLoopLimits {
  /** A step that covered this many events finds more at once; fewer means it caught up. */
  readonly batchEventsMax: number;
  /** How long a caught-up loop sleeps when no `notify` wakes it. */
  readonly pollIntervalMs: number;
  /** Told of every failed step; the loop retries after a backoff (50 ms doubling to 5 s). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs a projector's `step` (one batch, returning the events it covered) until stopped: again at
 * once after a full batch, else when `notify` reports new events or the poll interval passes.
 */
export class BatchLoop {
  private stopping = false;
  private notified = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<number>,
    private readonly limits: BatchLoopLimits,
  ) {}

  /** Starts the loop; resolves when it is stopped. */
  run(): Promise<void> {
    assert(this.loop === undefined, `${this.name} is already running`);
    this.stopping = false;
    this.loop = this.runLoop();
    return this.loop;
  }

  /** Wakes a sleeping loop: there are new events. */
  notify(): void {
    this.notified = true;
    this.wake?.();
  }

  /** Stops the loop after its current step. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    const loop = this.loop;
    this.loop = undefined;
    await loop;
  }

  private async runLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      this.notified = false;
      let events: number;
      try {
        events = await this.step();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.limits.onError?.(error);
        await this.pause(Math.min(ERROR_BACKOFF_MAX_MS, ERROR_BACKOFF_MIN_MS * 2 ** (failures - 1)));
        continue;
      }
      if (events < this.limits.batchEventsMax && !this.notified) await this.pause(this.limits.pollIntervalMs);
    }
  }

  /** Sleeps `ms`, or less when notify or stop wakes it. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      timer = setTimeout(wake, ms);
      this.wake = wake;
    });
  }
}
