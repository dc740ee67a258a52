import { sql, type Kysely } from 'kysely';

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * `queued_commands`: writes sent with `Prefer: respond-async`, kept durably on the node that took
 * them until they are proposed and their outcome is in the log (then the row goes). `refusal`
 * holds an answer the log never records (a request invalid or forbidden when it was decided).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('queued_commands')
    .addColumn('command_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('command', sql`longtext`, (c) => c.notNull())
    .addColumn('actor', sql`longtext`, (c) => c.notNull())
    .addColumn('queued_at', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refusal', sql`longtext`)
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('queued_commands').ifExists().execute();
}
