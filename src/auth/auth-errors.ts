/**
 * Login refused: the same error whether the user is unknown, the password wrong or the user
 * disabled, so a caller learns nothing about which usernames exist. Answer 401.
 */
export class InvalidCredentialsError extends Error {
  override readonly name = 'InvalidCredentialsError';

  constructor() {
    super('invalid username or password');
  }
}

/**
 * A validly signed token names a version of its user (a log position) this node has not applied
 * yet: another node issued it after a change this one has still to learn (a learner catching up,
 * a restarted node). Nothing can be told from the user as this node has it, so the token is
 * neither accepted nor refused. Answer 503 with Retry-After, never 401 (which ends the session).
 */
export class CredentialsBehindError extends Error {
  override readonly name = 'CredentialsBehindError';
  /** Seconds a client should wait before it retries. */
  readonly retryAfterSeconds = 1;

  constructor(
    readonly tokenVersion: number,
    readonly applied: number,
  ) {
    super(`this node is catching up: the token names log position ${tokenVersion}, this node has applied ${applied}; retry shortly (or ask another node)`);
  }
}

/**
 * A bearer token refused: missing, malformed, badly signed, expired, or no longer matching its
 * user (unknown, disabled, role or binding changed since it was issued). Answer 401.
 */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';

  constructor(readonly reason: string) {
    super(reason);
  }
}
