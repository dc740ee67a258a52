import { type Kysely, sql } from 'kysely';
import { type CredentialsDatabase, credentialsDb } from '../../../src/auth/credentials-database';
import * as userCredentialsMigration from '../../../src/infra/mysql/migrations/0005-user-credentials';
import { type ProjectionTestDatabase, createProjectionTestDatabase } from '../projections/projection-test-support';

/** A throwaway database with the event log, the read models and `user_credentials`. */
export interface AuthTestDatabase extends ProjectionTestDatabase {
  readonly credentials: Kysely<CredentialsDatabase>;
}

/**
 * Creates and migrates a test database, then runs migration 0005 unless `migrateToLatest` already
 * did (once it is listed in migrations/index.ts).
 */
export async function createAuthTestDatabase(): Promise<AuthTestDatabase> {
  const test = await createProjectionTestDatabase();
  const { rows } = await sql<{
    n: number;
  }>`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'user_credentials'`.execute(
    test.db,
  );
  if (Number(rows[0].n) === 0) await userCredentialsMigration.up(test.db as unknown as Kysely<unknown>);
  return { ...test, credentials: credentialsDb(test.db) };
}
