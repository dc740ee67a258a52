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
 * A bearer token refused: missing, malformed, badly signed, expired, or no longer matching its
 * user (unknown, disabled, role or binding changed since it was issued). Answer 401.
 */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';

  constructor(readonly reason: string) {
    super(reason);
  }
}
