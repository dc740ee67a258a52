import { Migrator, type Kysely } from 'kysely';
import type { Database } from './database';
import { MIGRATIONS } from './migrations';

/** A migration failed; `migrationName` names it (undefined when none had started). */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  constructor(
    message: string,
    readonly migrationName: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Runs every migration not yet applied, in order, under Kysely's migration lock (so nodes
 * sharing a server never migrate one database twice at once).
 *
 * @returns the names of the migrations it ran; empty when the schema was already current.
 * @throws MigrationError naming the failed migration, with the server's error as `cause`.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<readonly string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${failed ?? '(setup)'} failed: ${reason}`, failed, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
