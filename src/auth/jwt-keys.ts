import { type KeyObject, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { assert } from '../shared/assert';
import { InvalidTokenError } from './auth-errors';

/** Shortest secret accepted, in bytes: HS256 wants a key at least as long as its 256-bit hash. */
export const JWT_SECRET_BYTES_MIN = 32;
/** Key ids are short names (they travel in every token's header). */
export const JWT_KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Keys one ring holds at most (a current one and a few being retired). */
export const JWT_KEYS_MAX = 8;
/** The only signature algorithm issued and accepted (a token naming another is refused). */
export const TOKEN_ALGORITHM = 'HS256';

/** One signing secret and the id tokens name it by. */
export interface JwtSecret {
  readonly kid: string;
  readonly secret: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * HS256 JSON Web Tokens over a ring of keys: new tokens are signed with the first key and name it
 * in their `kid` header; a token verifies with the key its `kid` names, so a key being retired
 * keeps verifying the tokens it signed while new ones use its successor. Each secret becomes a
 * KeyObject once, here: a request costs one HMAC, not a key import.
 *
 * @example
 * const ring = new JwtKeyRing([{ kid: '2025-09', secret: newSecret }, { kid: '2025-03', secret: oldSecret }]);
 * const token = ring.sign({ sub: 'kim' }, nowSeconds, 3600);
 * ring.verify(token, nowSeconds); // { sub: 'kim', iat, exp }
 */
/** The key a token without a `kid` header is checked with: JWT_SECRET's (see JWT_SECRET_KID). */
export const LEGACY_KID = 'default';

export class JwtKeyRing {
  private readonly keys = new Map<string, KeyObject>();
  private readonly signingKid: string;

  /** @throws AssertionError when there is no key, too many, a kid repeats or is malformed, or a secret is short (config validates first). */
  constructor(secrets: readonly JwtSecret[]) {
    assert(secrets.length >= 1 && secrets.length <= JWT_KEYS_MAX, `a JWT key ring holds 1..${JWT_KEYS_MAX} keys, got ${secrets.length}`);
    for (const { kid, secret } of secrets) {
      assert(JWT_KID_PATTERN.test(kid), `JWT key id ${JSON.stringify(kid)} must match ${JWT_KID_PATTERN}`);
      assert(!this.keys.has(kid), `JWT key id ${kid} is given twice`);
      assert(Buffer.byteLength(secret, 'utf8') >= JWT_SECRET_BYTES_MIN, `JWT key ${kid} is shorter than ${JWT_SECRET_BYTES_MIN} bytes`);
      this.keys.set(kid, createSecretKey(Buffer.from(secret, 'utf8')));
    }
    this.signingKid = secrets[0].kid;
  }

  /** The id of the key new tokens are signed with. */
  get currentKid(): string {
    return this.signingKid;
  }

  /** A token carrying `claims` plus `iat` = now and `exp` = now + expiresInSeconds, signed with the first key. */
  sign(claims: Readonly<Record<string, unknown>>, nowSeconds: number, expiresInSeconds: number): string {
    const header = encode({ alg: TOKEN_ALGORITHM, typ: 'JWT', kid: this.signingKid });
    const payload = encode({ ...claims, iat: nowSeconds, exp: nowSeconds + expiresInSeconds });
    const signature = hmac(this.keys.get(this.signingKid)!, `${header}.${payload}`);
    return `${header}.${payload}.${signature.toString('base64url')}`;
  }

  /**
   * The claims of a token whose header names HS256 and a key of the ring, whose signature that key
   * made, and whose `exp` is after now (and `nbf`, if any, not after it).
   *
   * @throws InvalidTokenError 'token expired' or 'invalid token' (never saying which check failed otherwise)
   */
  verify(token: string, nowSeconds: number): Record<string, unknown> {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) throw new InvalidTokenError('invalid token');
    const header = decode(parts[0]);
    // A token with no kid was signed by a release before key ids: only the key named `default` (JWT_SECRET) may verify it,
    // so a rolling upgrade does not log every user out.
    const kid = header?.kid === undefined ? LEGACY_KID : header.kid;
    if (header?.alg !== TOKEN_ALGORITHM || (header.typ !== undefined && header.typ !== 'JWT') || typeof kid !== 'string') {
      throw new InvalidTokenError('invalid token');
    }
    const key = this.keys.get(kid);
    if (key === undefined) throw new InvalidTokenError('invalid token');
    const expected = hmac(key, `${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('invalid token');
    const claims = decode(parts[1]);
    if (claims === null || typeof claims.exp !== 'number') throw new InvalidTokenError('invalid token');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > nowSeconds)) throw new InvalidTokenError('invalid token');
    if (claims.exp <= nowSeconds) throw new InvalidTokenError('token expired');
    return claims;
  }
}

function hmac(key: KeyObject, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The JSON object a base64url part holds, or null. */
function decode(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
