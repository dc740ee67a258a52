import { ConfigError } from '../consensus';
import { TOKEN_EXPIRES_IN_MAX_SECONDS, TOKEN_EXPIRES_IN_MIN_SECONDS } from './auth.service';
import { JWT_KEYS_MAX, JWT_KID_PATTERN, JWT_SECRET_BYTES_MIN, type JwtSecret } from './jwt-keys';

/** Token lifetime unless JWT_EXPIRES_IN_SECONDS says otherwise: one hour. */
export const TOKEN_EXPIRES_IN_DEFAULT_SECONDS = 3600;
/** The key id of a single JWT_SECRET (name the old key so in JWT_SECRETS when rotating away from it). */
export const JWT_SECRET_KID = 'default';
/**
 * The secret used with NODE_ENV=development and no JWT_SECRET: the same on every node, so a local
 * cluster accepts a token on any node. Public, so never used unless asked for by name.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-anywhere-real';
/** The NODE_ENV value that lets a node start without a secret of its own. */
export const DEVELOPMENT_NODE_ENV = 'development';

/** How a node signs and checks tokens. */
export interface AuthConfig {
  /** The signing keys: new tokens are signed with the first; all of them verify. */
  readonly jwtSecrets: readonly JwtSecret[];
  readonly tokenExpiresInSeconds: number;
  /** True when no secret was given and NODE_ENV=development let DEVELOPMENT_JWT_SECRET stand in (log a warning). */
  readonly developmentSecret: boolean;
}

/**
 * Reads the signing keys and JWT_EXPIRES_IN_SECONDS (default 3600, 1..604800). The keys come from
 * JWT_SECRETS (`kid:secret,kid:secret`, the first signs) or JWT_SECRET (one key, kid `default`),
 * each secret at least JWT_SECRET_BYTES_MIN bytes. Without either a node refuses to start, unless
 * NODE_ENV=development, which uses DEVELOPMENT_JWT_SECRET.
 *
 * @throws ConfigError naming the variable that is wrong and what to set.
 */
export function authConfigFromEnv(env: NodeJS.ProcessEnv): AuthConfig {
  const { jwtSecrets, developmentSecret } = jwtSecretsOf(env);
  return { jwtSecrets, tokenExpiresInSeconds: tokenExpiryOf(env.JWT_EXPIRES_IN_SECONDS), developmentSecret };
}

function jwtSecretsOf(env: NodeJS.ProcessEnv): { jwtSecrets: JwtSecret[]; developmentSecret: boolean } {
  const single = env.JWT_SECRET ?? '';
  const ring = env.JWT_SECRETS ?? '';
  if (single !== '' && ring !== '') throw new ConfigError('set JWT_SECRET or JWT_SECRETS, not both');
  if (ring !== '') return { jwtSecrets: parseSecrets(ring), developmentSecret: false };
  if (single !== '') {
    checkSecretLength('JWT_SECRET', single);
    return { jwtSecrets: [{ kid: JWT_SECRET_KID, secret: single }], developmentSecret: false };
  }
  if (env.NODE_ENV === DEVELOPMENT_NODE_ENV) {
    return { jwtSecrets: [{ kid: 'development', secret: DEVELOPMENT_JWT_SECRET }], developmentSecret: true };
  }
  throw new ConfigError(
    `JWT_SECRET is not set: set it to a random secret of at least ${JWT_SECRET_BYTES_MIN} bytes, the same on every node ` +
      `(e.g. JWT_SECRET=$(openssl rand -base64 48)), or JWT_SECRETS=kid:secret,... to rotate keys; ` +
      `only NODE_ENV=${DEVELOPMENT_NODE_ENV} runs with a public development secret`,
  );
}

/** `kid:secret,kid:secret`: a secret may hold ':' (split at the first), not ','. */
function parseSecrets(text: string): JwtSecret[] {
  const entries = text.split(',').map((s) => s.trim());
  if (entries.length > JWT_KEYS_MAX) throw new ConfigError(`JWT_SECRETS holds at most ${JWT_KEYS_MAX} keys, got ${entries.length}`);
  const secrets: JwtSecret[] = [];
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const kid = colon < 0 ? '' : entry.slice(0, colon);
    if (!JWT_KID_PATTERN.test(kid)) throw new ConfigError(`JWT_SECRETS entries are kid:secret with a kid matching ${JWT_KID_PATTERN}`);
    if (secrets.some((s) => s.kid === kid)) throw new ConfigError(`JWT_SECRETS names key ${kid} twice`);
    const secret = entry.slice(colon + 1);
    checkSecretLength(`JWT_SECRETS key ${kid}`, secret);
    secrets.push({ kid, secret });
  }
  return secrets;
}

function checkSecretLength(name: string, secret: string): void {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < JWT_SECRET_BYTES_MIN) throw new ConfigError(`${name} must be at least ${JWT_SECRET_BYTES_MIN} bytes, got ${bytes}`);
}

function tokenExpiryOf(raw: string | undefined): number {
  const seconds = raw === undefined || raw === '' ? TOKEN_EXPIRES_IN_DEFAULT_SECONDS : Number(raw);
  if (!Number.isSafeInteger(seconds) || seconds < TOKEN_EXPIRES_IN_MIN_SECONDS || seconds > TOKEN_EXPIRES_IN_MAX_SECONDS) {
    throw new ConfigError(`JWT_EXPIRES_IN_SECONDS must be an integer in ${TOKEN_EXPIRES_IN_MIN_SECONDS}..${TOKEN_EXPIRES_IN_MAX_SECONDS}, got ${raw}`);
  }
  return seconds;
}
