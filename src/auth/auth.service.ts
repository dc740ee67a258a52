import { createHash, randomBytes } from 'node:crypto';
import { type Actor, type Role, TOKEN_ID_PATTERN, isRole } from '../domain';
import { assert } from '../shared/assert';
import { CredentialsBehindError, InvalidCredentialsError, InvalidTokenError } from './auth-errors';
import type { Credentials, CredentialsLookup } from './credentials-repository';
import type { JwtKeyRing } from './jwt-keys';
import { hashPassword, verifyPassword } from './password';

/** Token lifetimes allowed, in seconds (one second, for tests, to a week). */
export const TOKEN_EXPIRES_IN_MIN_SECONDS = 1;
export const TOKEN_EXPIRES_IN_MAX_SECONDS = 7 * 24 * 3600;
/**
 * Tokens logged out on this node that it remembers at once, at most (the oldest are forgotten
 * first): each is also recorded through the log, which every node's credentials projector keeps.
 */
export const REVOKED_TOKENS_MAX = 100_000;
/**
 * How long a node whose log is caught up waits for a token's version to reach its credentials
 * (the slot was chosen an instant ago, and a heartbeat has yet to say so) before refusing it as
 * a version its user never had.
 */
export const TOKEN_VERSION_WAIT_MS = 1000;
const TOKEN_VERSION_POLL_MS = 50;

/** How AuthService issues tokens. */
export interface AuthOptions {
  /** Lifetime of an access token, TOKEN_EXPIRES_IN_MIN_SECONDS..TOKEN_EXPIRES_IN_MAX_SECONDS. */
  readonly expiresInSeconds: number;
  /** The clock tokens are issued and checked by, in milliseconds (default Date.now). */
  readonly now?: () => number;
  /**
   * True when this node's log holds every slot the cluster has chosen, as far as it can tell (it
   * hears its leader, or leads, and has applied up to the chosen watermark). A token whose version
   * is beyond the credentials is answered 503 (catching up) while it is false, and refused (401)
   * once it is true and TOKEN_VERSION_WAIT_MS passed. Absent: always true.
   */
  readonly logCaughtUp?: () => boolean;
  /** How long a caught-up node waits for a token's version (default TOKEN_VERSION_WAIT_MS). */
  readonly versionWaitMs?: number;
}

/** A successful login, as POST /api/auth/login answers it. */
export interface LoginResult {
  readonly accessToken: string;
  /** Seconds until the token expires. */
  readonly expiresIn: number;
  readonly role: Role;
}

/** The session a token stands for, as a logout ends it: who, which token, until when. */
export interface TokenSession {
  /** The actor the token names (its claims; the user is not looked up). */
  readonly actor: Actor;
  /** The token's `jti`, or the SHA-256 of a token without one (tokenIdOf). */
  readonly tokenId: string;
  /** When the token expires, ISO-8601 UTC. */
  readonly expiresAt: string;
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
  /** The token's id (random, so two logins are two sessions); tokens of older releases may have none. */
  readonly jti?: string;
  /** When it expires, in epoch seconds (the key ring has checked it is in the future). */
  readonly exp: number;
}

/**
 * What a token check concludes once its signature and expiry hold and its user is looked up:
 * the token stands for the user; it is refused, and why; or it names a version of its user
 * beyond what this node has applied (`ahead`), so nothing can be told yet.
 */
export type TokenVerdict = { readonly kind: 'valid' } | { readonly kind: 'refused'; readonly reason: string } | { readonly kind: 'ahead' };

/**
 * The verdict on a token's claims given its user as this node has projected them (`undefined`:
 * no such user here) and the log position the credentials reflect (pure). A token that still
 * matches its user is valid. One that does not is refused when its version is one this node has
 * applied (the user does not exist, was disabled, or changed since), and `ahead` when its version
 * is beyond that position: another node issued it after a change this one has not applied yet, so
 * the user as found here says nothing about it.
 *
 * @example tokenVerdict({ role: 'teacher', ver: 42 }, undefined, 40) // { kind: 'ahead' }
 * @example tokenVerdict({ role: 'teacher', ver: 42 }, undefined, 50) // { kind: 'refused', reason: 'the user does not exist' }
 */
export function tokenVerdict(claims: Pick<TokenClaims, 'role' | 'sid' | 'ver'>, user: Credentials | undefined, applied: number): TokenVerdict {
  const refusal = user === undefined ? 'the user does not exist' : staleness(user, claims);
  if (refusal === null) return { kind: 'valid' };
  if (claims.ver > applied) return { kind: 'ahead' };
  return { kind: 'refused', reason: refusal };
}

/**
 * Logs users in and checks bearer tokens against the credentials read model, so a disable or a
 * role change voids the user's tokens as soon as this node has projected it, and a logout the
 * token it ended (at once on the node that served it, on every node once it applied the log's
 * UserSessionEnded).
 *
 * @example
 * const auth = new AuthService(new CredentialsRepository(db), new JwtKeyRing([{ kid: 'k1', secret }]), { expiresInSeconds: 3600 });
 * const { accessToken } = await auth.login('ms.lee', 'correct horse');
 * const actor = await auth.verify(accessToken); // { username: 'ms.lee', role: 'teacher' }
 */
export class AuthService {
  /** A hash of nothing anyone knows, verified against for unknown users so they take as long as known ones. */
  private dummyHash: Promise<string> | undefined;
  /** Tokens logged out on this node (by token id), with when they expire anyway (epoch ms). */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly credentials: CredentialsLookup,
    private readonly keys: JwtKeyRing,
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
    const claims: Omit<TokenClaims, 'exp'> = {
      sub: user.username,
      role: user.role,
      ...(user.studentId === null ? {} : { sid: user.studentId }),
      ver: user.position,
    };
    const expiresIn = this.options.expiresInSeconds;
    // A random id: two logins in the same second are two sessions (logging one out keeps the other).
    const accessToken = this.keys.sign({ ...claims, jti: randomBytes(12).toString('base64url') }, this.nowSeconds(), expiresIn);
    return { accessToken, expiresIn, role: user.role };
  }

  /**
   * The actor a token stands for. Checks the signature and expiry, that it was not logged out
   * (here, or anywhere once this node applied the logout), then that the user still exists, is not
   * disabled, holds the token's role and binding, and has had no user event since it was issued.
   * A token whose version this node has not applied yet (another node issued it after a change
   * this one has still to learn) waits for this node's log to hold it, briefly: see `tokenVerdict`
   * and `AuthOptions.logCaughtUp`.
   *
   * @throws InvalidTokenError naming why the token is refused;
   *   CredentialsBehindError (503) when it names a version this node has not applied and its log is behind the cluster's.
   */
  async verify(token: string): Promise<Actor> {
    const claims = this.decode(token);
    const tokenId = tokenIdOf(token, claims);
    if (this.revoked.has(tokenId) || (await this.credentials.isRevoked?.(tokenId)) === true) {
      throw new InvalidTokenError('token no longer valid: logged out');
    }
    let { user, verdict } = await this.judge(claims);
    if (verdict.kind !== 'valid' && claims.ver > (user?.position ?? 0) && this.credentials.catchUp !== undefined) {
      // This node's credentials may lag the node that issued the token: apply what its log holds, then look again.
      await this.credentials.catchUp(claims.ver);
      ({ user, verdict } = await this.judge(claims));
    }
    const deadline = Date.now() + (this.options.versionWaitMs ?? TOKEN_VERSION_WAIT_MS);
    while (verdict.kind === 'ahead') {
      // Behind the cluster (or unable to tell): the version may well be in the log this node has yet to receive.
      if (!(this.options.logCaughtUp?.() ?? true)) throw new CredentialsBehindError(claims.ver, this.credentials.position ?? 0);
      // Caught up, and still beyond: a version the cluster's log does not hold, unless it was chosen an instant ago.
      if (Date.now() >= deadline) throw new InvalidTokenError('token no longer valid: the token names a version the user never had');
      await new Promise((resolve) => setTimeout(resolve, TOKEN_VERSION_POLL_MS));
      await this.credentials.catchUp?.(claims.ver);
      ({ user, verdict } = await this.judge(claims));
    }
    if (verdict.kind === 'refused' || user === undefined) throw new InvalidTokenError(`token no longer valid: ${verdict.kind === 'refused' ? verdict.reason : 'the user does not exist'}`);
    return user.studentId === null
      ? { username: user.username, role: user.role }
      : { username: user.username, role: user.role, studentId: user.studentId };
  }

  /** The token's user as this node has projected them, and the verdict on the token. */
  private async judge(claims: TokenClaims): Promise<{ user: Credentials | undefined; verdict: TokenVerdict }> {
    const user = await this.credentials.find(claims.sub);
    return { user, verdict: tokenVerdict(claims, user, this.credentials.position ?? Number.MAX_SAFE_INTEGER) };
  }

  /**
   * Logs a token out on this node at once: verify refuses it from now on (so the session's live
   * streams end at their next check). The caller records the logout through the log (users.logout)
   * so that every node refuses it, after a restart too. A token whose signature, claims or expiry
   * do not check out is ignored.
   *
   * @returns the session the token stood for (to record), or undefined for a token ignored.
   */
  revoke(token: string): TokenSession | undefined {
    const session = this.session(token);
    if (session === undefined) return undefined;
    const now = (this.options.now ?? Date.now)();
    for (const [key, expires] of this.revoked) if (expires <= now) this.revoked.delete(key);
    while (this.revoked.size >= REVOKED_TOKENS_MAX) this.revoked.delete(this.revoked.keys().next().value as string);
    this.revoked.set(session.tokenId, Date.parse(session.expiresAt));
    return session;
  }

  /**
   * The session a token stands for when its signature, claims and expiry check out (its user is
   * not looked up, nor whether it was logged out); undefined otherwise.
   */
  session(token: string | undefined): TokenSession | undefined {
    let claims: TokenClaims;
    try {
      claims = this.decode(token ?? '');
    } catch {
      return undefined;
    }
    const actor: Actor = claims.sid === undefined ? { username: claims.sub, role: claims.role } : { username: claims.sub, role: claims.role, studentId: claims.sid };
    return { actor, tokenId: tokenIdOf(token!, claims), expiresAt: new Date(claims.exp * 1000).toISOString() };
  }

  /**
   * The username a token was issued to, when its signature and expiry check out (its user is not
   * looked up: a rate limit keys on it before authentication); undefined otherwise.
   */
  signedSubject(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    try {
      return this.decode(token).sub;
    } catch {
      return undefined;
    }
  }

  /** The token's claims once its signature, algorithm and expiry are checked. */
  private decode(token: string): TokenClaims {
    if (typeof token !== 'string' || token.length === 0) throw new InvalidTokenError('missing bearer token');
    const payload = this.keys.verify(token, this.nowSeconds());
    if (!isTokenClaims(payload)) throw new InvalidTokenError('invalid token claims');
    return payload;
  }

  private nowSeconds(): number {
    return Math.floor((this.options.now ?? Date.now)() / 1000);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('base64'));
    return this.dummyHash;
  }
}

/**
 * The id a logout names a token by: its `jti` claim when it is one (every token this release
 * issues carries one), else the base64url SHA-256 of the whole token.
 *
 * @example tokenIdOf(token, { jti: 'q7ZcR1aB9xYz0Kd2' }) // 'q7ZcR1aB9xYz0Kd2'
 */
export function tokenIdOf(token: string, claims: { readonly jti?: unknown }): string {
  if (typeof claims.jti === 'string' && TOKEN_ID_PATTERN.test(claims.jti)) return claims.jti;
  return createHash('sha256').update(token).digest('base64url');
}

/** Why a verified token no longer stands for `user`, or null when it still does. */
function staleness(user: Credentials, claims: Pick<TokenClaims, 'role' | 'sid' | 'ver'>): string | null {
  if (user.disabled) return 'the user is disabled';
  if (user.role !== claims.role) return 'the role changed';
  if ((user.studentId ?? undefined) !== claims.sid) return 'the student binding changed';
  // Only the position the token was issued at is valid: a later one means the user changed since;
  // a larger one (after catching up with the log) was never issued, whatever signed it.
  if (user.position > claims.ver) return 'the user changed since the token was issued';
  if (user.position < claims.ver) return 'the token names a version the user never had';
  return null;
}

function isTokenClaims(payload: unknown): payload is TokenClaims {
  if (typeof payload !== 'object' || payload === null) return false;
  const { sub, role, sid, ver, exp } = payload as Record<string, unknown>;
  return (
    typeof sub === 'string' &&
    isRole(role) &&
    (sid === undefined || typeof sid === 'string') &&
    typeof ver === 'number' &&
    Number.isSafeInteger(ver) &&
    typeof exp === 'number' &&
    Number.isSafeInteger(exp)
  );
}
