import { BALLOT_ZERO, type Ballot, compareBallots } from './ballot';
import type { Phase1b } from './messages';
import { type AcceptedEntry, NOOP, type SlotValue } from './value';

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
): { slot: number; value: SlotValue; chosen: boolean; ballot: Ballot | null }[] {
  const chosen = new Map<number, SlotValue>();
  const best = new Map<number, AcceptedEntry>();
  let maxSlot = Math.max(chosenWatermark, localMaxSlot);
  for (const promise of promises) {
    for (const entry of promise.chosen) {
      if (entry.slot <= chosenWatermark) continue;
      maxSlot = Math.max(maxSlot, entry.slot);
      chosen.set(entry.slot, entry.value);
    }
    for (const entry of promise.accepted) {
      if (entry.slot <= chosenWatermark) continue;
      maxSlot = Math.max(maxSlot, entry.slot);
      const current = best.get(entry.slot);
      if (!current || compareBallots(entry.ballot, current.ballot) > 0) best.set(entry.slot, entry);
    }
  }
  const out: { slot: number; value: SlotValue; chosen: boolean; ballot: Ballot | null }[] = [];
  for (let slot = chosenWatermark + 1; slot <= maxSlot; slot++) {
    const known = knownChosen(slot) ?? chosen.get(slot);
    if (known !== undefined) {
      out.push({ slot, value: known, chosen: true, ballot: null });
      continue;
    }
    // A slot nobody reported gets a no-op of ballot zero: any report a later Phase 1 brings wins over it.
    const reported = best.get(slot);
    out.push({ slot, value: reported?.value ?? NOOP, chosen: false, ballot: reported?.ballot ?? BALLOT_ZERO });
  }
  return out;
}
