/** Bounds for `pollUntil`: it stops at whichever of the two limits comes first. */
export interface PollLimits {
  readonly timeoutMs: number;
  readonly attemptsMax: number;
  readonly everyMs: number;
  /** Errors for which retrying is pointless (a process died): rethrown at once. */
  readonly isFatal?: (err: unknown) => boolean;
}

/** `probe` did not succeed within the limits; `lastError` is its last failure, if it threw. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
}

/**
 * Calls `probe` until it returns true, pausing `everyMs` between attempts. A probe that throws
 * counts as a failed attempt, so transient errors (server not up yet) are retried.
 *
 * @throws PollTimeoutError naming `what` and the last probe error once a limit is reached.
 * @throws the probe's own error at once when `limits.isFatal` says so.
 */
export async function pollUntil(what: string, probe: () => Promise<boolean>, limits: PollLimits): Promise<void> {
  const deadline = Date.now() + limits.timeoutMs;
  let lastError: unknown;
  for (let attempt = 1; attempt <= limits.attemptsMax; attempt++) {
    try {
      if (await probe()) return;
    } catch (err) {
      if (limits.isFatal?.(err)) throw err;
      lastError = err;
    }
    if (Date.now() + limits.everyMs > deadline) break;
    await sleep(limits.everyMs);
  }
  const why = lastError === undefined ? '' : `: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  throw new PollTimeoutError(
    `${what} not reached within ${limits.timeoutMs} ms / ${limits.attemptsMax} attempts${why}`,
    {
      cause: lastError,
    },
  );
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
