/**
 * No quorum is reachable (HTTP 503 with Retry-After). The write is not applied now; if a node
 * had already accepted it, Paxos keeps it and it may be applied once the quorum returns, so a
 * retry with the same Idempotency-Key tells which.
 */
export class NoQuorumError extends Error {
  override readonly name = 'NoQuorumError';
  constructor(readonly retryAfterSeconds: number) {
    super(
      'no quorum: fewer than a quorum of nodes are reachable; the write is not applied now (retry with the same Idempotency-Key to learn its outcome once the quorum is back)',
    );
  }
}

/** The outcome is unknown: the command may still be chosen; retry with the same id to learn it. */
export class UnknownOutcomeError extends Error {
  override readonly name = 'UnknownOutcomeError';
  constructor(readonly commandId: string) {
    super(`command ${commandId} timed out; its outcome is unknown; retry with the same Idempotency-Key`);
  }
}
