import { ConfigError } from '../consensus';
import { TOKEN_EXPIRES_IN_MAX_SECONDS, TOKEN_EXPIRES_IN_MIN_SECONDS } from './auth.service';

/** Token lifetime unless JWT_EXPIRES_IN_SECONDS says otherwise: one hour. */
export const TOKEN_EXPIRES_IN_DEFAULT_SECONDS = 3600;
/** Shortest JWT_SECRET accepted (HS256 wants 32 bytes or more; shorter is refused outright). */
export const JWT_SECRET_LENGTH_MIN = 16;
/**
 * The secret used when JWT_SECRET is unset outside production: the same on every node, so a local
 * cluster accepts a token on any node. Never use it anywhere real.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use';

/** How a node signs and checks tokens. */
export interface AuthConfig {
  readonly jwtSecret: string;
  readonly tokenExpiresInSeconds: number;
  /** True when JWT_SECRET was unset and DEVELOPMENT_JWT_SECRET is used (log a warning). */
  readonly developmentSecret: boolean;
}

/**
 * Reads JWT_SECRET (required when NODE_ENV=production, at least JWT_SECRET_LENGTH_MIN characters)
 * and JWT_EXPIRES_IN_SECONDS (default 3600, 1..604800).
 *
 * @throws ConfigError naming the variable that is wrong.
 */
export function authConfigFromEnv(env: NodeJS.ProcessEnv): AuthConfig {
  const secret = env.JWT_SECRET;
  let jwtSecret = DEVELOPMENT_JWT_SECRET;
  if (secret === undefined || secret === '') {
    if (env.NODE_ENV === 'production') throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  } else {
    if (secret.length < JWT_SECRET_LENGTH_MIN)
      throw new ConfigError(`JWT_SECRET must be at least ${JWT_SECRET_LENGTH_MIN} characters`);
    jwtSecret = secret;
  }
  const rawExpiry = env.JWT_EXPIRES_IN_SECONDS;
  const tokenExpiresInSeconds =
    rawExpiry === undefined || rawExpiry === '' ? TOKEN_EXPIRES_IN_DEFAULT_SECONDS : Number(rawExpiry);
  if (
    !Number.isSafeInteger(tokenExpiresInSeconds) ||
    tokenExpiresInSeconds < TOKEN_EXPIRES_IN_MIN_SECONDS ||
    tokenExpiresInSeconds > TOKEN_EXPIRES_IN_MAX_SECONDS
  ) {
    throw new ConfigError(
      `JWT_EXPIRES_IN_SECONDS must be an integer in ${TOKEN_EXPIRES_IN_MIN_SECONDS}..${TOKEN_EXPIRES_IN_MAX_SECONDS}, got ${rawExpiry}`,
    );
  }
  return { jwtSecret, tokenExpiresInSeconds, developmentSecret: jwtSecret === DEVELOPMENT_JWT_SECRET };
}
