import type { Kysely } from 'kysely';
import { assert } from '../shared/assert';
import { sameTimeZone } from '../shared/school-days';
import { CheckpointMovedError } from './projection-errors';
import type { ReadModelDatabase } from './read-model-database';
import { integerFromSql } from './sql-values';

/** Checkpoint names are at most this long (the column's width). */
const CHECKPOINT_NAME_MAX = 128;

/** Asserts a usable checkpoint name. */
export function assertCheckpointName(name: string): void {
  assert(
    name.length > 0 && name.length <= CHECKPOINT_NAME_MAX,
    `checkpoint name must be 1..${CHECKPOINT_NAME_MAX} characters, got ${JSON.stringify(name)}`,
  );
}

/** The checkpoint's position, creating it at 0 when it does not exist yet. */
export async function loadCheckpoint(db: Kysely<ReadModelDatabase>, name: string): Promise<number> {
  assertCheckpointName(name);
  await db.insertInto('projection_checkpoints').ignore().values({ name, position: 0 }).execute();
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('position')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return integerFromSql(row.position);
}

/**
 * Moves the checkpoint from `from` to `to` inside the batch's transaction. Run first in the
 * transaction: its row lock serializes writers of one checkpoint, and the `position = from`
 * condition makes a writer whose checkpoint moved under it fail instead of applying twice.
 *
 * @throws CheckpointMovedError when the checkpoint is not at `from` (roll the batch back and reload).
 */
export async function advanceCheckpoint(
  db: Kysely<ReadModelDatabase>,
  name: string,
  from: number,
  to: number,
): Promise<void> {
  assert(to > from, `a checkpoint only moves forward (${name}: ${from} -> ${to})`);
  const result = await db
    .updateTable('projection_checkpoints')
    .set({ position: to })
    .where('name', '=', name)
    .where('position', '=', from)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new CheckpointMovedError(name, from);
}

/**
 * Sets a checkpoint to `position` whatever it was (a rebuild handing its shadow checkpoint to the
 * live set, inside the transaction or pause that swaps the tables).
 */
export async function setCheckpoint(db: Kysely<ReadModelDatabase>, name: string, position: number): Promise<void> {
  assertCheckpointName(name);
  assert(
    Number.isSafeInteger(position) && position >= 0,
    `a checkpoint position is a non-negative integer, got ${position}`,
  );
  await db.insertInto('projection_checkpoints').values({ name, position }).onDuplicateKeyUpdate({ position }).execute();
}

/** Every checkpoint, by name (for `projections:status`). */
export async function readCheckpoints(db: Kysely<ReadModelDatabase>): Promise<{ name: string; position: number }[]> {
  const rows = await db.selectFrom('projection_checkpoints').select(['name', 'position']).orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, position: integerFromSql(r.position) }));
}

/** The school time zone a checkpoint's rows count days in, or undefined when the checkpoint does not exist. */
export async function readCheckpointTimeZone(db: Kysely<ReadModelDatabase>, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('projection_checkpoints').select('time_zone').where('name', '=', name).executeTakeFirst();
  return row?.time_zone;
}

/** A checkpoint's recorded school time zone against the zone its projections count days in now. */
export interface CheckpointTimeZone {
  readonly checkpoint: string;
  readonly position: number;
  /** The zone the rows under the checkpoint were projected in (`UTC` before migration 0013). */
  readonly recorded: string;
  /** The zone the projections count days in now (SCHOOL_TIME_ZONE). */
  readonly configured: string;
  /** False when rows were projected in another zone: they need `projections:rebuild`. */
  readonly matches: boolean;
}

/**
 * Compares the school time zone a checkpoint's rows were projected in with `timeZone`, the one
 * its projections count days in now. A checkpoint at 0 (no row projected yet) takes `timeZone`
 * at once; any other is left as it is (only a rebuild changes it, with its rows). Aliases of one
 * zone match (`UTC`, `Etc/UTC`).
 */
export async function checkCheckpointTimeZone(db: Kysely<ReadModelDatabase>, name: string, timeZone: string): Promise<CheckpointTimeZone> {
  const position = await loadCheckpoint(db, name);
  if (position === 0) {
    await db.updateTable('projection_checkpoints').set({ time_zone: timeZone }).where('name', '=', name).where('position', '=', 0).execute();
  }
  const row = await db.selectFrom('projection_checkpoints').select(['position', 'time_zone']).where('name', '=', name).executeTakeFirstOrThrow();
  return {
    checkpoint: name,
    position: integerFromSql(row.position),
    recorded: row.time_zone,
    configured: timeZone,
    matches: sameTimeZone(row.time_zone, timeZone),
  };
}

/** Records the school time zone the rows under a checkpoint are now projected in (a rebuild's swap). */
export async function recordCheckpointTimeZone(db: Kysely<ReadModelDatabase>, name: string, timeZone: string): Promise<void> {
  await db.updateTable('projection_checkpoints').set({ time_zone: timeZone }).where('name', '=', name).execute();
}
