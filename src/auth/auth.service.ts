import { createHash, randomBytes } from 'node:crypto';
import type { JwtService } from '@nestjs/jwt';
import { type Actor, type Role, isRole } from '../domain';
import { assert } from '../shared/assert';
import { InvalidCredentialsError, InvalidTokenError } from './auth-errors';
import type { Credentials, CredentialsLookup } from './credentials-repository';
import { hashPassword, verifyPassword } from './password';

/** Token lifetimes allowed, in seconds (one second, for tests, to a week). */
export const TOKEN_EXPIRES_IN_MIN_SECONDS = 1;
export const TOKEN_EXPIRES_IN_MAX_SECONDS = 7 * 24 * 3600;
/** Logged-out tokens one node remembers at most (the oldest expiring are forgotten first). */
export const REVOKED_TOKENS_MAX = 100_000;

/** The only signature algorithm issued and accepted (a token naming another is refused). */
export const TOKEN_ALGORITHM = 'HS256';

/** How AuthService issues tokens. */
export interface AuthOptions {
  /** Lifetime of an access token, TOKEN_EXPIRES_IN_MIN_SECONDS..TOKEN_EXPIRES_IN_MAX_SECONDS. */
  readonly expiresInSeconds: number;
}

/** A successful login, as POST /api/auth/login answers it. */
export interface LoginResult {
  readonly accessToken: string;
  /** Seconds until the token expires. */
  readonly expiresIn: number;
  readonly role: Role;
}

/** The claims of our access tokens (besides iat and exp). */
interface TokenClaims {
  /** The username. */
  readonly sub: string;
  readonly role: Role;
  /** The bound student, for student users only. */
  readonly sid?: string;
  /** The credentials' position when the token was issued: any later user event voids it. */
  readonly ver: number;
}

/**
 * Logs users in and checks bearer tokens against the credentials read model, so a disable or a
 * role change voids the user's tokens as soon as this node has projected it.
 *
 * @example
 * const auth = new AuthService(new CredentialsRepository(db), new JwtService({ secret }), { expiresInSeconds: 3600 });
 * const { accessToken } = await auth.login('ms.lee', 'correct horse');
 * const actor = await auth.verify(accessToken); // { username: 'ms.lee', role: 'teacher' }
 */
export class AuthService {
  /** A hash of nothing anyone knows, verified against for unknown users so they take as long as known ones. */
  private dummyHash: Promise<string> | undefined;
  /** Tokens logged out on this node (by their SHA-256), with when they expire anyway (epoch ms). */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly credentials: CredentialsLookup,
    private readonly jwt: JwtService,
    private readonly options: AuthOptions,
  ) {
    const seconds = options.expiresInSeconds;
    assert(
      Number.isSafeInteger(seconds) &&
        seconds >= TOKEN_EXPIRES_IN_MIN_SECONDS &&
        seconds <= TOKEN_EXPIRES_IN_MAX_SECONDS,
      `token expiry must be ${TOKEN_EXPIRES_IN_MIN_SECONDS}..${TOKEN_EXPIRES_IN_MAX_SECONDS} seconds, got ${seconds}`,
    );
  }

  /**
   * Checks the password and issues an access token.
   *
   * @throws InvalidCredentialsError for an unknown user, a wrong password or a disabled user alike.
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const user = typeof username === 'string' ? await this.credentials.find(username) : undefined;
    if (user === undefined) {
      await verifyPassword(String(password), await this.dummy());
      throw new InvalidCredentialsError();
    }
    const matches = await verifyPassword(password, user.passwordHash);
    if (!matches || user.disabled) throw new InvalidCredentialsError();
    const claims: TokenClaims = {
      sub: user.username,
      role: user.role,
      ...(user.studentId === null ? {} : { sid: user.studentId }),
      ver: user.position,
    };
    const expiresIn = this.options.expiresInSeconds;
    // A random id: two logins in the same second are two sessions (logging one out keeps the other).
    const accessToken = await this.jwt.signAsync({ ...claims, jti: randomBytes(12).toString('base64url') }, { expiresIn, algorithm: TOKEN_ALGORITHM });
    return { accessToken, expiresIn, role: user.role };
  }

  /**
   * The actor a token stands for. Checks the signature and expiry, then that the user still exists,
   * is not disabled, holds the token's role and binding, and has had no user event since it was issued.
   *
   * @throws InvalidTokenError naming why the token is refused.
   */
  async verify(token: string): Promise<Actor> {
    const claims = await this.decode(token);
    if (this.revoked.has(tokenKey(token))) throw new InvalidTokenError('token no longer valid: logged out');
    const user = await this.credentials.find(claims.sub);
    const refusal = user === undefined ? 'the user does not exist' : staleness(user, claims);
    if (refusal !== null || user === undefined) throw new InvalidTokenError(`token no longer valid: ${refusal}`);
    return user.studentId === null
      ? { username: user.username, role: user.role }
      : { username: user.username, role: user.role, studentId: user.studentId };
  }

  /**
   * Logs a token out on this node: verify refuses it from now on (so the session's live streams
   * end at their next check). Nodes keep their own list; a token expires everywhere anyway. A
   * token that does not verify is ignored.
   */
  async revoke(token: string): Promise<void> {
    let exp: number;
    try {
      exp = ((await this.jwt.verifyAsync<{ exp: number }>(token, { algorithms: [TOKEN_ALGORITHM] })).exp ?? 0) * 1000;
    } catch {
      return;
    }
    const now = Date.now();
    for (const [key, expires] of this.revoked) if (expires <= now) this.revoked.delete(key);
    while (this.revoked.size >= REVOKED_TOKENS_MAX) this.revoked.delete(this.revoked.keys().next().value as string);
    this.revoked.set(tokenKey(token), exp);
  }

  /** The token's claims once its signature, algorithm and expiry are checked. */
  private async decode(token: string): Promise<TokenClaims> {
    if (typeof token !== 'string' || token.length === 0) throw new InvalidTokenError('missing bearer token');
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync<object>(token, { algorithms: [TOKEN_ALGORITHM] });
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      throw new InvalidTokenError(expired ? 'token expired' : 'invalid token');
    }
    if (!isTokenClaims(payload)) throw new InvalidTokenError('invalid token claims');
    return payload;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('base64'));
    return this.dummyHash;
  }
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Why a verified token no longer stands for `user`, or null when it still does. */
function staleness(user: Credentials, claims: TokenClaims): string | null {
  if (user.disabled) return 'the user is disabled';
  if (user.role !== claims.role) return 'the role changed';
  if ((user.studentId ?? undefined) !== claims.sid) return 'the student binding changed';
  // A node whose read model lags the issuing node's sees an older position: that is no change.
  if (user.position > claims.ver) return 'the user changed since the token was issued';
  return null;
}

function isTokenClaims(payload: unknown): payload is TokenClaims {
  if (typeof payload !== 'object' || payload === null) return false;
  const { sub, role, sid, ver } = payload as Record<string, unknown>;
  return (
    typeof sub === 'string' &&
    isRole(role) &&
    (sid === undefined || typeof sid === 'string') &&
    typeof ver === 'number' &&
    Number.isSafeInteger(ver)
  );
}
