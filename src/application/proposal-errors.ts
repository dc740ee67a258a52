/** No quorum is reachable: the write was not accepted; retry later (HTTP 503 with Retry-After). */
export class NoQuorumError extends Error {
  override readonly name = 'NoQuorumError';
  constructor(readonly retryAfterSeconds: number) {
    super('no quorum: fewer than a quorum of nodes are reachable; the write was not accepted');
  }
}

/** The outcome is unknown: the command may still be chosen; retry with the same id to learn it. */
export class UnknownOutcomeError extends Error {
  override readonly name = 'UnknownOutcomeError';
  constructor(readonly commandId: string) {
    super(`command ${commandId} timed out; its outcome is unknown; retry with the same Idempotency-Key`);
  }
}
