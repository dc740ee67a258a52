import { sql, type Kysely } from 'kysely';

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * The storage's identity: which node it belongs to, its incarnation (new whenever the acceptor
 * state is new: a new database, or one found rolled back) and its epoch (bumped at every start
 * and periodically, mirrored in a guard file outside MySQL). One row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('node_identity')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('node_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('incarnation', 'varchar(64)', (c) => c.notNull())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('node_identity').ifExists().execute();
}
