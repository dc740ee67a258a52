import type { Kysely } from 'kysely';
import type { Database } from './database';
import { readMeta } from './paxos-meta';

/**
 * The `paxos_meta` row holding the chosen watermark: every slot up to it is chosen, and its row
 * in `paxos_accepted` holds the chosen value (migration 0016). Slots above it are accepts. Only
 * a store of chosen slots (the store procedures, or `persist` with chosen entries) and a
 * snapshot's load move it.
 */
export const CHOSEN_WATERMARK_META = 'chosen_watermark';

/** The chosen watermark, 0 before any slot is chosen; pass a transaction to read inside it. */
export async function readChosenWatermark(db: Kysely<Database>): Promise<number> {
  return (await readMeta(db, CHOSEN_WATERMARK_META)) ?? 0;
}
