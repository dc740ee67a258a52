import type { Kysely } from 'kysely';

/**
 * `projection_checkpoints.time_zone`: the school time zone (SCHOOL_TIME_ZONE) the rows under a
 * checkpoint count days in (`student_daily_scores`). Every row before this migration was
 * projected with UTC days, which the default records. A node started with another zone than its
 * checkpoint's warns until `projections:rebuild` has rebuilt the rows in the new one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projection_checkpoints')
    .addColumn('time_zone', 'varchar(64)', (c) => c.notNull().defaultTo('UTC'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').dropColumn('time_zone').execute();
}
