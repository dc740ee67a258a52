import { sql, type Kysely } from 'kysely';

/**
 * The classes a teacher or club user looks after (`users.classes`): a JSON list of class names,
 * `[]` for users who have none, which every row written before this migration is.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('classes', 'text').execute();
  await sql`UPDATE users SET classes = '[]'`.execute(db);
  await db.schema.alterTable('users').modifyColumn('classes', 'text', (c) => c.notNull()).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('classes').execute();
}
