import type { Ballot } from '../../consensus/ballot';
import type { AcceptedEntry, ChosenEntry } from '../../consensus/value';
import { valueKey } from '../../consensus/value';
import { assert } from '../../shared/assert';
import type { PaxosAcceptedTable, PaxosChosenTable } from './database';
import { readSafeInteger } from './safe-integer';
import { decodeSlotValue, encodeSlotValue } from './slot-value-json';

/** The longest node id a ballot may carry: the width of its column. */
export const NODE_ID_CHARS_MAX = 64;

/** Checks a ballot fits its columns; the core never makes one that does not. */
export function assertStorableBallot(ballot: Ballot): void {
  assert(
    Number.isSafeInteger(ballot.round) && ballot.round >= 0,
    `ballot round must be a safe integer >= 0, got ${ballot.round}`,
  );
  assert(
    ballot.nodeId.length <= NODE_ID_CHARS_MAX,
    `ballot node id longer than ${NODE_ID_CHARS_MAX}: ${ballot.nodeId}`,
  );
}

/** Checks a slot is a positive safe integer: slot 0 is "nothing chosen yet". */
export function assertSlot(slot: number): void {
  assert(Number.isSafeInteger(slot) && slot >= 1, `slot must be a safe integer >= 1, got ${slot}`);
}

/** The row an accept is stored as. */
export function acceptedToRow(entry: AcceptedEntry): PaxosAcceptedTable {
  assertSlot(entry.slot);
  assertStorableBallot(entry.ballot);
  return {
    slot: entry.slot,
    ballot_round: entry.ballot.round,
    ballot_node: entry.ballot.nodeId,
    value: encodeSlotValue(entry.value),
  };
}

/** An accept read back from its row. */
export function acceptedFromRow(row: PaxosAcceptedTable): AcceptedEntry {
  const slot = readSafeInteger(row.slot, 'paxos_accepted.slot');
  return {
    slot,
    ballot: { round: readSafeInteger(row.ballot_round, 'paxos_accepted.ballot_round'), nodeId: row.ballot_node },
    value: decodeSlotValue(row.value, `paxos_accepted slot ${slot}`),
  };
}

/** The row a chosen entry is stored as. */
export function chosenToRow(entry: ChosenEntry): PaxosChosenTable {
  assertSlot(entry.slot);
  return { slot: entry.slot, value: encodeSlotValue(entry.value) };
}

/** A chosen entry read back from its row. */
export function chosenFromRow(row: PaxosChosenTable): ChosenEntry {
  const slot = readSafeInteger(row.slot, 'paxos_chosen.slot');
  return { slot, value: decodeSlotValue(row.value, `paxos_chosen slot ${slot}`) };
}

/**
 * One accept per slot, in slot order: when a slot was accepted twice in one Ready, the later
 * accept replaces the earlier, as it would have had they been stored one after the other.
 */
export function lastAcceptPerSlot(entries: readonly AcceptedEntry[]): AcceptedEntry[] {
  const bySlot = new Map<number, AcceptedEntry>();
  for (const entry of entries) bySlot.set(entry.slot, entry);
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot);
}

/**
 * One chosen entry per slot, in slot order. The same slot twice with the same value is
 * harmless; with two values it is a safety violation.
 *
 * @throws AssertionError when one slot is given two different values.
 */
export function distinctChosen(entries: readonly ChosenEntry[]): ChosenEntry[] {
  const bySlot = new Map<number, ChosenEntry>();
  for (const entry of entries) {
    const seen = bySlot.get(entry.slot);
    if (seen !== undefined) assertSameChosen(entry.slot, valueKey(seen.value), valueKey(entry.value));
    else bySlot.set(entry.slot, entry);
  }
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot);
}

/**
 * Asserts that what is chosen in `slot` is the same value both times (compare valueKey forms).
 *
 * @throws AssertionError otherwise: two values chosen for one slot break Paxos' safety.
 */
export function assertSameChosen(slot: number, firstKey: string, secondKey: string): void {
  assert(
    firstKey === secondKey,
    `safety violation: slot ${slot} chosen with two different values: ${clip(firstKey)} and ${clip(secondKey)}`,
  );
}

/** The entries that run without a gap from `fromSlot` (entries sorted by slot). */
export function contiguousFrom(fromSlot: number, entries: readonly ChosenEntry[]): ChosenEntry[] {
  let end = 0;
  while (end < entries.length && entries[end].slot === fromSlot + end) end++;
  return entries.slice(0, end);
}

function clip(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}…`;
}
