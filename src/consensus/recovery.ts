import { compareBallots } from './ballot';
import type { Phase1b } from './messages';
import { NOOP, type SlotValue } from './value';

/**
 * What a new leader must propose for each slot above its watermark, from a quorum of Phase1b:
 * a value some acceptor knows chosen, else the value accepted in the highest ballot, else a
 * no-op for a hole. Returns the slots in order, up to the highest slot any promise reported.
 */
export function recoverSlots(
  chosenWatermark: number,
  promises: Iterable<Phase1b>,
  knownChosen: (slot: number) => SlotValue | undefined,
  localMaxSlot: number,
): { slot: number; value: SlotValue; chosen: boolean }[] {
  const best = new Map<number, { ballotRank: Phase1b['accepted'][number]; chosen: boolean }>();
  let maxSlot = Math.max(chosenWatermark, localMaxSlot);
  for (const promise of promises) {
    const chosenSlots = new Set(promise.chosen);
    for (const entry of promise.accepted) {
      if (entry.slot <= chosenWatermark) continue;
      maxSlot = Math.max(maxSlot, entry.slot);
      const isChosen = chosenSlots.has(entry.slot);
      const current = best.get(entry.slot);
      if (current?.chosen) continue;
      if (isChosen || !current || compareBallots(entry.ballot, current.ballotRank.ballot) > 0) {
        best.set(entry.slot, { ballotRank: entry, chosen: isChosen });
      }
    }
  }
  const out: { slot: number; value: SlotValue; chosen: boolean }[] = [];
  for (let slot = chosenWatermark + 1; slot <= maxSlot; slot++) {
    const local = knownChosen(slot);
    if (local !== undefined) out.push({ slot, value: local, chosen: true });
    else {
      const found = best.get(slot);
      out.push({ slot, value: found ? found.ballotRank.value : NOOP, chosen: found?.chosen ?? false });
    }
  }
  return out;
}
