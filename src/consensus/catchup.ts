import type { CatchupReply, CatchupRequest } from './messages';
import type { ChosenEntry } from './value';

/**
 * Builds the reply to a catch-up request from entries the driver read from its stored log.
 * Only the contiguous run from the requested slot is sent, at most `batchMax` entries.
 */
export function catchupReply(
  request: CatchupRequest,
  stored: readonly ChosenEntry[],
  chosenWatermark: number,
  batchMax: number,
): CatchupReply {
  const limit = Math.min(request.maxSlots, batchMax);
  const entries: ChosenEntry[] = [];
  for (const entry of stored) {
    if (entries.length >= limit || entry.slot !== request.fromSlot + entries.length) break;
    entries.push(entry);
  }
  return { type: 'CatchupReply', from: request.to, to: request.from, entries, chosenWatermark };
}
