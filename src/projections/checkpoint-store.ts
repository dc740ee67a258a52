import type { Kysely } from 'kysely';
import { assert } from '../shared/assert';
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
