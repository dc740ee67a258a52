import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * log2 of scrypt's cost N for new hashes: N = 2^17 with r = 8, p = 1, OWASP's recommendation
 * (128 MiB of memory per hash). Hashes store their parameters, so hashes made with other ones
 * (the earlier N = 2^15) keep verifying with their own.
 */
export const SCRYPT_LOG_N = 17;
/** scrypt's block size r for new hashes. */
export const SCRYPT_R = 8;
/** scrypt's parallelism p for new hashes. */
export const SCRYPT_P = 1;
/** Bytes of random salt per hash. */
export const SCRYPT_SALT_BYTES = 16;
/** Bytes of derived key. */
export const SCRYPT_KEY_BYTES = 32;
/**
 * Parameters a stored hash may name, at most: a hash naming more is refused rather than run, so
 * no stored value can make a verification take unbounded memory or time.
 */
export const SCRYPT_LOG_N_MAX = 17;
export const SCRYPT_R_MAX = 16;
export const SCRYPT_P_MAX = 4;
/** Passwords longer than this are refused (hashing them would only cost time). */
export const PASSWORD_LENGTH_MAX = 1024;

const HASH_PREFIX = 'scrypt';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The scrypt parameters and values a stored hash holds. */
interface ParsedHash {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/**
 * Hashes a password with scrypt (N = 2^17, r = 8, p = 1, 16-byte random salt, 32-byte key).
 *
 * @example await hashPassword('s3cret') // 'scrypt$17$8$1$<salt base64>$<key base64>'
 * @throws RangeError when the password is empty or longer than PASSWORD_LENGTH_MAX.
 */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string' || password.length === 0 || password.length > PASSWORD_LENGTH_MAX)
    throw new RangeError(`a password is 1..${PASSWORD_LENGTH_MAX} characters`);
  const salt = randomBytes(SCRYPT_SALT_BYTES);
  const key = await derive(password, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_BYTES);
  const params = `${SCRYPT_LOG_N}$${SCRYPT_R}$${SCRYPT_P}`;
  return `${HASH_PREFIX}$${params}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * True when `password` matches `hash` (compared in constant time). Never throws on user input:
 * a malformed or out-of-bounds hash, or a password that is not a string of allowed length, is false.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (typeof password !== 'string' || password.length > PASSWORD_LENGTH_MAX) return false;
  const parsed = parseHash(hash);
  if (parsed === null) return false;
  const { logN, r, p, salt, key } = parsed;
  let derived: Buffer;
  try {
    derived = await derive(password, salt, logN, r, p, key.length);
  } catch {
    return false;
  }
  return timingSafeEqual(derived, key);
}

/** True when `hash` is in the format verifyPassword accepts (e.g. to validate configuration). */
export function isPasswordHash(hash: unknown): boolean {
  return parseHash(hash) !== null;
}

/**
 * scrypt through its callback API, with maxmem sized for the parameters: Node's default cap
 * (32 MiB) refuses N = 2^17, r = 8, which needs 128 * N * r = 128 MiB.
 */
export function scryptMaxmem(logN: number, r: number, p: number): number {
  // 128 * N * r for V, plus 128 * r * p for B and a little more: twice N's part covers both.
  return 2 * 128 * 2 ** logN * r + 128 * r * p;
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, keyBytes: number): Promise<Buffer> {
  const N = 2 ** logN;
  const maxmem = scryptMaxmem(logN, r, p);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The parts of `scrypt$<logN>$<r>$<p>$<salt b64>$<key b64>`, or null when anything is off. */
function parseHash(hash: unknown): ParsedHash | null {
  if (typeof hash !== 'string' || hash.length > 512) return null;
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== HASH_PREFIX) return null;
  const logN = smallInteger(parts[1], 1, SCRYPT_LOG_N_MAX);
  const r = smallInteger(parts[2], 1, SCRYPT_R_MAX);
  const p = smallInteger(parts[3], 1, SCRYPT_P_MAX);
  const salt = base64Bytes(parts[4]);
  const key = base64Bytes(parts[5]);
  if (logN === null || r === null || p === null || salt === null || key === null) return null;
  if (salt.length < SCRYPT_SALT_BYTES || key.length !== SCRYPT_KEY_BYTES) return null;
  return { logN, r, p, salt, key };
}

function smallInteger(text: string, min: number, max: number): number | null {
  if (!/^[1-9][0-9]{0,2}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** Decodes canonical base64 only (Node's decoder skips junk; re-encoding must give the text back). */
function base64Bytes(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
