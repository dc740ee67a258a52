import { sql, type Kysely } from 'kysely';

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * The reason catalogue (`reasons`), the reason code score changes and applications name
 * (`reason_code` on `score_records` and `applications`), and each student's score at the end of
 * each day it changed (`student_daily_scores`, for the charts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reasons')
    .addColumn('code', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('label_zh', 'varchar(255)', (c) => c.notNull())
    .addColumn('label_en', 'varchar(255)', (c) => c.notNull())
    .addColumn('default_delta', 'bigint', (c) => c.notNull())
    .addColumn('polarity', 'varchar(16)', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.alterTable('score_records').addColumn('reason_code', 'varchar(32)').execute();
  await db.schema.alterTable('applications').addColumn('reason_code', 'varchar(32)').execute();
  await db.schema
    .createTable('student_daily_scores')
    .addColumn('entry_id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('student_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('day', 'varchar(16)', (c) => c.notNull())
    .addColumn('score', 'bigint', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('student_daily_scores_student_day').on('student_daily_scores').columns(['student_id', 'day']).execute();
  await db.schema.createIndex('score_records_at').on('score_records').columns(['at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('student_daily_scores').ifExists().execute();
  await db.schema.alterTable('applications').dropColumn('reason_code').execute();
  await db.schema.alterTable('score_records').dropColumn('reason_code').execute();
  await db.schema.dropTable('reasons').ifExists().execute();
}
