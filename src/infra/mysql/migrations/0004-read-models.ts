import { sql, type Kysely } from 'kysely';

// InnoDB so a batch of rows commits with its checkpoint; binary collation so ids compare as in JS.
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/**
 * The read models the projections keep (students, score_records, applications, users: no
 * secrets) and their checkpoints. Ids are as wide as `event_log.stream_id`; scores and deltas
 * are BIGINT because the domain allows any safe integer; free text is TEXT so no event the
 * domain accepted can fail a projection. Times are DATETIME(3) in UTC.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('students')
    .addColumn('student_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('class_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('score', 'bigint', (c) => c.notNull())
    .addColumn('initial_score', 'bigint', (c) => c.notNull())
    .addColumn('frozen', 'boolean', (c) => c.notNull())
    .addColumn('archived', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'datetime(3)', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('students_class').on('students').columns(['class_name', 'student_id']).execute();
  await db.schema
    .createTable('score_records')
    .addColumn('position', 'bigint', (c) => c.primaryKey())
    .addColumn('student_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('delta', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'varchar(128)', (c) => c.notNull())
    .addColumn('actor_role', 'varchar(32)', (c) => c.notNull())
    .addColumn('source', 'varchar(32)', (c) => c.notNull())
    .addColumn('new_score', 'bigint', (c) => c.notNull())
    .addColumn('saga_id', 'varchar(128)')
    .addColumn('application_id', 'varchar(128)')
    .addColumn('at', 'datetime(3)', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createIndex('score_records_student')
    .on('score_records')
    .columns(['student_id', 'position'])
    .execute();
  await db.schema
    .createTable('applications')
    .addColumn('application_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('student_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('delta', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'varchar(128)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('reviewer', 'varchar(128)')
    .addColumn('comment', 'text')
    .addColumn('submitted_at', 'datetime(3)')
    .addColumn('reviewed_at', 'datetime(3)')
    .addColumn('submitted_position', 'bigint', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  // Lists filter by status and/or submitter and show the newest submissions first.
  await db.schema
    .createIndex('applications_status')
    .on('applications')
    .columns(['status', 'submitted_position'])
    .execute();
  await db.schema
    .createIndex('applications_submitted_by')
    .on('applications')
    .columns(['submitted_by', 'submitted_position'])
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('username', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('student_id', 'varchar(128)')
    .addColumn('disabled', 'boolean', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createTable('projection_checkpoints')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['projection_checkpoints', 'users', 'applications', 'score_records', 'students']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
