import { sql, type Kysely } from 'kysely';

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * Aggregate snapshots: the newest state of each aggregate as of a checkpoint, and the checkpoint
 * (the log position every snapshot is current at). `cold` marks aggregates a node does not keep
 * in memory (closed applications, archived students, finished sagas): a start loads the others.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('aggregate_snapshots')
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('aggregate_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('cold', 'boolean', (c) => c.notNull())
    .addColumn('state', sql`mediumtext`, (c) => c.notNull())
    .addPrimaryKeyConstraint('aggregate_snapshots_pk', ['kind', 'aggregate_id'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('aggregate_snapshots_hot').on('aggregate_snapshots').columns(['cold', 'kind', 'aggregate_id']).execute();
  await db.schema
    .createTable('aggregate_checkpoint')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('aggregate_checkpoint').ifExists().execute();
  await db.schema.dropTable('aggregate_snapshots').ifExists().execute();
}
