import { sql, type Kysely } from 'kysely';

// InnoDB for crash-safe commits; binary collation so node ids compare as they do in JS.
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** Acceptor state and the chosen log: promise, accepts, chosen values, named counters. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('paxos_promise')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('round', 'bigint', (c) => c.notNull())
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addCheckConstraint('paxos_promise_single_row', sql`id = 1`)
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createTable('paxos_accepted')
    .addColumn('slot', 'bigint', (c) => c.primaryKey())
    .addColumn('ballot_round', 'bigint', (c) => c.notNull())
    .addColumn('ballot_node', 'varchar(64)', (c) => c.notNull())
    .addColumn('value', sql`longtext`, (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createTable('paxos_chosen')
    .addColumn('slot', 'bigint', (c) => c.primaryKey())
    .addColumn('value', sql`longtext`, (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createTable('paxos_meta')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['paxos_meta', 'paxos_chosen', 'paxos_accepted', 'paxos_promise']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
