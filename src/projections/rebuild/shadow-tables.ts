import { type Kysely, sql } from 'kysely';
import type { ReadModelDatabase } from '../read-model-database';
import { READ_MODEL_TABLES, type ReadModelTable } from '../read-model-tables';
import { type TableNames, prefixedTables } from '../upsert-writer';

/** Physical names of a rebuild's shadow tables (`rebuild_students`, ...). */
export const SHADOW_TABLES: TableNames = prefixedTables('rebuild_');
/** Where a swap parks the replaced live tables until it drops them (`rebuild_old_students`, ...). */
export const REPLACED_TABLES: TableNames = prefixedTables('rebuild_old_');

/** The tables of `tables` that exist under `names`, by canonical name. */
export async function existingTables(
  db: Kysely<ReadModelDatabase>,
  tables: readonly ReadModelTable[],
  names: TableNames,
): Promise<Set<ReadModelTable>> {
  const { rows } = await sql<{ name: string }>`
    SELECT TABLE_NAME AS name FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${sql.join(tables.map((t) => names(t)))})`.execute(db);
  const present = new Set(rows.map((r) => r.name));
  return new Set(tables.filter((t) => present.has(names(t))));
}

/** Drops every shadow and parked table a rebuild may have left, of every read model. */
export async function dropRebuildTables(db: Kysely<ReadModelDatabase>): Promise<void> {
  const names = READ_MODEL_TABLES.flatMap((t) => [SHADOW_TABLES(t), REPLACED_TABLES(t)]);
  await sql`DROP TABLE IF EXISTS ${sql.join(names.map((n) => sql.table(n)))}`.execute(db);
}

/** Drops the parked tables a swap replaced. */
export async function dropReplacedTables(db: Kysely<ReadModelDatabase>, tables: readonly ReadModelTable[]): Promise<void> {
  await sql`DROP TABLE IF EXISTS ${sql.join(tables.map((t) => sql.table(REPLACED_TABLES(t))))}`.execute(db);
}

/** Creates empty shadow tables with the live tables' columns and indexes (`CREATE TABLE ... LIKE`). */
export async function createShadowTables(db: Kysely<ReadModelDatabase>, tables: readonly ReadModelTable[]): Promise<void> {
  for (const table of tables) {
    await sql`CREATE TABLE ${sql.table(SHADOW_TABLES(table))} LIKE ${sql.table(table)}`.execute(db);
  }
}

/**
 * Swaps the shadow tables in: one `RENAME TABLE` moves each live table aside and each shadow table
 * into its place, atomically for every reader (a query sees all old tables or all new ones).
 */
export async function renameShadowIntoLive(db: Kysely<ReadModelDatabase>, tables: readonly ReadModelTable[]): Promise<void> {
  const renames = tables.flatMap((t) => [
    sql`${sql.table(t)} TO ${sql.table(REPLACED_TABLES(t))}`,
    sql`${sql.table(SHADOW_TABLES(t))} TO ${sql.table(t)}`,
  ]);
  await sql`RENAME TABLE ${sql.join(renames)}`.execute(db);
}
