import { sql, type Kysely } from 'kysely';

// InnoDB so a batch of rows commits with its checkpoint; binary collation so usernames compare as in JS.
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * `user_credentials`: what login and token checks read (the password hash, role, binding,
 * disabled), kept by the `credentials` projection under its own checkpoint. It is apart from the
 * public `users` read model because it holds a secret: nothing but src/auth reads it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_credentials')
    .addColumn('username', 'varchar(128)', (c) => c.primaryKey())
    // As wide as the domain lets a password hash be (TEXT_LIMITS.passwordHash).
    .addColumn('password_hash', 'varchar(1024)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('student_id', 'varchar(128)')
    .addColumn('disabled', 'boolean', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_credentials').ifExists().execute();
}
