/** What the supervisor does after a node exited. */
export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number }
  | { readonly restart: false; readonly failedStarts: number };

export interface RestartPolicyOptions {
  /** The pause before the first restart, doubled after each failed start. */
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  /** Failed starts in a row after which the supervisor gives up on the node. */
  readonly failedStartsMax: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { backoffMs: 1000, backoffMaxMs: 15_000, failedStartsMax: 5 };

/**
 * The restart policy of one node of `npm run cluster`. A node that exits after it served HTTP is
 * restarted after `backoffMs`, however often that happens (a killed leader comes back to catch
 * up). A node that exits before it served HTTP failed its start: the pause doubles each time, and
 * after `failedStartsMax` failed starts in a row the supervisor gives up on it (its configuration
 * or its database is broken; restarting would only repeat the error).
 */
export class RestartPolicy {
  private failedStarts = 0;

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** `served`: whether this run of the node reported serving HTTP before it exited. */
  afterExit(served: boolean): RestartDecision {
    this.failedStarts = served ? 0 : this.failedStarts + 1;
    if (this.failedStarts >= this.options.failedStartsMax) return { restart: false, failedStarts: this.failedStarts };
    const delayMs = Math.min(this.options.backoffMaxMs, this.options.backoffMs * 2 ** this.failedStarts);
    return { restart: true, delayMs };
  }
}

/** "killed by SIGKILL", "exit code 1: <last error line>". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, lastError: string): string {
  const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
  return lastError === '' ? how : `${how}; last error: ${lastError}`;
}
