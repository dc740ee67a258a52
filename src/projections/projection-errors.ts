/** A read waited for a position the read model did not reach in time (an operating error: answer 503/504). */
export class ProjectionTimeoutError extends Error {
  override readonly name = 'ProjectionTimeoutError';

  constructor(
    readonly position: number,
    readonly reached: number,
    readonly timeoutMs: number,
  ) {
    super(`read model did not reach position ${position} within ${timeoutMs} ms (it is at ${reached})`);
  }
}

/** Too many reads are already waiting for positions (see ProjectorOptions.waitersMax). */
export class ProjectionWaitersFullError extends Error {
  override readonly name = 'ProjectionWaitersFullError';

  constructor(readonly waitersMax: number) {
    super(`${waitersMax} reads are already waiting for the read model; try again later`);
  }
}

/** The projector was stopped while a read waited for it. */
export class ProjectorStoppedError extends Error {
  override readonly name = 'ProjectorStoppedError';

  constructor(readonly projection: string) {
    super(`projector ${projection} stopped`);
  }
}

/**
 * The checkpoint moved under the projector (another writer applied the same set, or a rebuild
 * swapped it): the batch was rolled back and the projector reloads the checkpoint.
 */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';

  constructor(
    readonly checkpoint: string,
    readonly expected: number,
  ) {
    super(`checkpoint ${checkpoint} is no longer at ${expected}; reloading it`);
  }
}

/** The event log has no event at the position after the checkpoint although later ones exist. */
export class EventLogGapError extends Error {
  override readonly name = 'EventLogGapError';

  constructor(
    readonly expected: number,
    readonly found: number,
  ) {
    super(`event_log has no position ${expected} (next found: ${found})`);
  }
}
