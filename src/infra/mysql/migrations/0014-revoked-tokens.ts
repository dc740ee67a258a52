import { sql, type Kysely } from 'kysely';

// InnoDB so the rows commit with the credentials checkpoint; binary collation so ids compare as in JS.
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * `revoked_tokens`: the tokens logged out (UserSessionEnded), kept by the `credentials`
 * projection under its checkpoint until they expire (`expires_at`, epoch milliseconds; the index
 * serves the prune), so a node refuses them after a restart too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('revoked_tokens')
    // As wide as a token id may be (TOKEN_ID_PATTERN).
    .addColumn('token_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('revoked_tokens_expires_at').on('revoked_tokens').column('expires_at').execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('revoked_tokens').ifExists().execute();
}
