import { ConfigError } from '../consensus/config';
import { type EnvRule, type EnvSource, type EnvValues, custom, int, parseEnv, text } from '../config/env-schema';
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

/** The token variables of the node's schema (src/config/node-env.ts). */
export const AUTH_ENV_SCHEMA = {
  NODE_ENV: text({
    description: `\`${DEVELOPMENT_NODE_ENV}\` lets a node start without JWT_SECRET, signing tokens with a public development secret (and saying so in its log); any other value, or none, requires a secret. The Docker image sets \`production\`.`,
  }),
  JWT_SECRET: custom({
    type: `text of at least ${JWT_SECRET_BYTES_MIN} bytes`,
    description: `The secret that signs access tokens (key id \`${JWT_SECRET_KID}\`), the same on every node, e.g. \`openssl rand -base64 48\`. \`npm run cluster\`, the benchmark, the chaos suite and the tests give their nodes a random one per run.`,
    required: `unless JWT_SECRETS is set, or NODE_ENV=${DEVELOPMENT_NODE_ENV}`,
    secret: true,
    read: (name, raw) => checkSecretLength(name, raw),
  }),
  JWT_SECRETS: custom({
    type: `kid:secret,kid:secret (at most ${JWT_KEYS_MAX})`,
    description:
      `Instead of JWT_SECRET, several keys for rotation, each secret ${JWT_SECRET_BYTES_MIN}+ bytes (it may hold \`:\`, not \`,\`): ` +
      'new tokens are signed with the first and name its kid; tokens of every listed key verify.',
    secret: true,
    read: (_name, raw) => parseSecrets(raw),
  }),
  JWT_EXPIRES_IN_SECONDS: int({
    min: TOKEN_EXPIRES_IN_MIN_SECONDS,
    max: TOKEN_EXPIRES_IN_MAX_SECONDS,
    default: TOKEN_EXPIRES_IN_DEFAULT_SECONDS,
    description: 'Access token lifetime in seconds.',
  }),
};

type AuthSchema = typeof AUTH_ENV_SCHEMA;

/** The rules over the token variables. */
export const AUTH_ENV_RULES: readonly EnvRule<AuthSchema>[] = [
  {
    variables: ['JWT_SECRET', 'JWT_SECRETS'],
    description: 'JWT_SECRET and JWT_SECRETS are not both set.',
    check: (v) => (v.JWT_SECRET !== undefined && v.JWT_SECRETS !== undefined ? 'set JWT_SECRET or JWT_SECRETS, not both' : undefined),
  },
  {
    variables: ['JWT_SECRET', 'JWT_SECRETS', 'NODE_ENV'],
    description: `JWT_SECRET or JWT_SECRETS is set, unless NODE_ENV=${DEVELOPMENT_NODE_ENV}.`,
    check: (v) =>
      v.JWT_SECRET === undefined && v.JWT_SECRETS === undefined && v.NODE_ENV !== DEVELOPMENT_NODE_ENV
        ? `JWT_SECRET is not set: set it to a random secret of at least ${JWT_SECRET_BYTES_MIN} bytes, the same on every node ` +
          `(e.g. JWT_SECRET=$(openssl rand -base64 48)), or JWT_SECRETS=kid:secret,... to rotate keys; ` +
          `only NODE_ENV=${DEVELOPMENT_NODE_ENV} runs with a public development secret`
        : undefined,
  },
];

/** What the token variables read. */
export type AuthEnv = EnvValues<AuthSchema>;

/**
 * Reads the signing keys and JWT_EXPIRES_IN_SECONDS (default 3600, 1..604800) with the node's
 * schema. The keys come from JWT_SECRETS (`kid:secret,kid:secret`, the first signs) or JWT_SECRET
 * (one key, kid `default`), each secret at least JWT_SECRET_BYTES_MIN bytes. Without either a node
 * refuses to start, unless NODE_ENV=development, which uses DEVELOPMENT_JWT_SECRET.
 *
 * @throws ConfigError naming the variable that is wrong and what to set.
 */
export function authConfigFromEnv(env: EnvSource): AuthConfig {
  return authConfigOf(parseEnv({ schema: AUTH_ENV_SCHEMA, rules: AUTH_ENV_RULES }, env));
}

/** The auth settings of values the schema has read (and its rules passed). */
export function authConfigOf(env: AuthEnv): AuthConfig {
  const tokenExpiresInSeconds = env.JWT_EXPIRES_IN_SECONDS;
  if (env.JWT_SECRETS !== undefined) return { jwtSecrets: env.JWT_SECRETS, tokenExpiresInSeconds, developmentSecret: false };
  if (env.JWT_SECRET !== undefined) return { jwtSecrets: [{ kid: JWT_SECRET_KID, secret: env.JWT_SECRET }], tokenExpiresInSeconds, developmentSecret: false };
  return { jwtSecrets: [{ kid: 'development', secret: DEVELOPMENT_JWT_SECRET }], tokenExpiresInSeconds, developmentSecret: true };
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

function checkSecretLength(name: string, secret: string): string {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < JWT_SECRET_BYTES_MIN) throw new ConfigError(`${name} must be at least ${JWT_SECRET_BYTES_MIN} bytes, got ${bytes}`);
  return secret;
}
