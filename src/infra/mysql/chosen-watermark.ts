import type { Kysely } from 'kysely';
import type { Database } from './database';
import { raiseMeta, readMeta } from './paxos-meta';
import { readSafeInteger } from './safe-integer';

/**
 * The `paxos_meta` row holding a floor of the chosen watermark: a slot up to which every slot
 * is known chosen. Whoever ever prunes `paxos_chosen` must keep the rows above it.
 */
export const CHOSEN_WATERMARK_META = 'chosen_watermark';

/**
 * Computes the chosen watermark, the highest slot such that every slot up to it is chosen and
 * stored, from the rows themselves rather than from their maximum, so gaps are honoured
 * (chosen 1,2,3,5 gives 3). Looks only above the recorded floor, then raises the floor, so
 * repeated calls cost what was chosen since the last one. Trusting the floor is safe because
 * chosen rows are immutable once written.
 *
 * Pass a transaction: it writes the floor.
 */
export async function advanceChosenWatermark(trx: Kysely<Database>): Promise<number> {
  const floor = (await readMeta(trx, CHOSEN_WATERMARK_META)) ?? 0;
  const watermark = await contiguousChosenEnd(trx, floor);
  if (watermark > floor) await raiseMeta(trx, CHOSEN_WATERMARK_META, watermark);
  return watermark;
}

/** The last slot of the run of chosen slots that starts right after `floor`, or `floor`. */
async function contiguousChosenEnd(db: Kysely<Database>, floor: number): Promise<number> {
  const span = await db
    .selectFrom('paxos_chosen')
    .select((eb) => [eb.fn.countAll().as('count'), eb.fn.max('slot').as('last')])
    .where('slot', '>', floor)
    .executeTakeFirstOrThrow();
  const count = readSafeInteger(span.count, 'count of paxos_chosen');
  if (count === 0) return floor;
  // `count` distinct slots above the floor, the highest `floor + count`: no room for a gap.
  // The usual case, and one index scan (~0.1 s per million slots), where a gap search is ~10x.
  const last = readSafeInteger(span.last, 'paxos_chosen.slot');
  if (last === floor + count) return last;
  return firstGapEnd(db, floor);
}

/** With a gap somewhere above `floor`: where the run from `floor + 1` stops, or `floor`. */
async function firstGapEnd(db: Kysely<Database>, floor: number): Promise<number> {
  const next = await db
    .selectFrom('paxos_chosen')
    .select('slot')
    .where('slot', '=', floor + 1)
    .executeTakeFirst();
  if (next === undefined) return floor;
  // The first slot above the floor without a successor ends the run; walking the primary key
  // in order, the join stops there.
  const end = await db
    .selectFrom('paxos_chosen as c')
    .leftJoin('paxos_chosen as n', (join) => join.on((eb) => eb('n.slot', '=', eb('c.slot', '+', 1))))
    .select('c.slot')
    .where('c.slot', '>', floor)
    .where('n.slot', 'is', null)
    .orderBy('c.slot')
    .limit(1)
    .executeTakeFirstOrThrow();
  return readSafeInteger(end.slot, 'paxos_chosen.slot');
}
