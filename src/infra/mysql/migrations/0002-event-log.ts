import { sql, type Kysely } from 'kysely';

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** The event log with gap-free global positions, and the idempotency records that never expire. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_log')
    .addColumn('position', 'bigint', (c) => c.primaryKey())
    .addColumn('slot', 'bigint', (c) => c.notNull())
    .addColumn('command_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('stream_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('stream_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('schema_version', 'smallint', (c) => c.notNull())
    .addColumn('data', sql`longtext`, (c) => c.notNull())
    .addColumn('metadata', sql`longtext`, (c) => c.notNull())
    .addUniqueConstraint('event_log_stream_version', ['stream_type', 'stream_id', 'stream_version'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createTable('applied_commands')
    .addColumn('command_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('slot', 'bigint', (c) => c.notNull())
    .addColumn('outcome', sql`longtext`, (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('applied_commands').ifExists().execute();
  await db.schema.dropTable('event_log').ifExists().execute();
}
