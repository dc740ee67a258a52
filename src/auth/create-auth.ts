import type { Kysely } from 'kysely';
import type { ReadModelDatabase } from '../projections/read-model-database';
import { AuthService } from './auth.service';
import { credentialsDb } from './credentials-database';
import { CredentialsProjector, type CredentialsProjectorOptions } from './credentials-projector';
import { CredentialsRepository } from './credentials-repository';
import { JwtKeyRing, type JwtSecret } from './jwt-keys';

/** What a node needs to authenticate: the service, and the projector that keeps its read model. */
export interface NodeAuth {
  readonly service: AuthService;
  readonly projector: CredentialsProjector;
  readonly repository: CredentialsRepository;
}

/**
 * Builds a node's auth on its database (migrated through 0005). The caller runs the projector
 * (`await projector.catchUp(); void projector.run()`), notifies it when events are written, and
 * stops it on shutdown.
 *
 * @example const auth = createNodeAuth(node.db, { jwtSecrets: [{ kid: 'k1', secret }], tokenExpiresInSeconds: 3600 });
 */
export function createNodeAuth<DB extends ReadModelDatabase>(
  db: Kysely<DB>,
  options: {
    readonly jwtSecrets: readonly JwtSecret[];
    readonly tokenExpiresInSeconds: number;
    /** Whether the node's log holds what the cluster has chosen (AuthOptions.logCaughtUp). */
    readonly logCaughtUp?: () => boolean;
  },
  projectorOptions: CredentialsProjectorOptions = {},
): NodeAuth {
  const credentials = credentialsDb(db);
  const repository = new CredentialsRepository(credentials);
  // Token checks and logins read the credentials the projector keeps in memory: no SELECT per request.
  const projector = new CredentialsProjector(credentials, projectorOptions);
  const service = new AuthService(projector, new JwtKeyRing(options.jwtSecrets), {
    expiresInSeconds: options.tokenExpiresInSeconds,
    ...(options.logCaughtUp === undefined ? {} : { logCaughtUp: options.logCaughtUp }),
  });
  return { service, projector, repository };
}
