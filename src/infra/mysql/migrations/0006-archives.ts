import { sql, type Kysely } from 'kysely';

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * The archive read models: `archives` (one row per semester archive, keyed by its saga id, with
 * its status) and `archive_students` (each student's snapshot, keyed `<archiveId>/<studentId>`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('archives')
    .addColumn('archive_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('semester', 'varchar(128)', (c) => c.notNull())
    .addColumn('class_name', 'varchar(255)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('student_count', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('archives_semester').on('archives').columns(['semester', 'position']).execute();
  await db.schema
    .createTable('archive_students')
    .addColumn('entry_id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('archive_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('semester', 'varchar(128)', (c) => c.notNull())
    .addColumn('student_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('class_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('score', 'bigint', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('archive_students_student').on('archive_students').columns(['semester', 'student_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('archive_students').ifExists().execute();
  await db.schema.dropTable('archives').ifExists().execute();
}
