import type { Ballot } from './ballot';
import type { Message } from './messages';
import type { AcceptedEntry, ChosenEntry } from './value';

/**
 * What a replica hands its driver, to be handled in this order:
 * 1. persist `promised`, `accepted` and `chosen` durably, in one transaction;
 * 2. only then send `messages`;
 * 3. then apply `chosen` (contiguous, in slot order) to the state machine;
 * 4. then call `advance(ready)`.
 */
export interface Ready {
  /** The acceptor's new promise, when it moved. */
  readonly promised?: Ballot;
  /** Accepts to store (a later accept of the same slot replaces an earlier one). */
  readonly accepted: readonly AcceptedEntry[];
  /** Newly chosen entries, contiguous from the previous watermark + 1, to store and apply. */
  readonly chosen: readonly ChosenEntry[];
  readonly messages: readonly Message[];
}

/** What a replica restarts from: everything it persisted. */
export interface PersistentState {
  readonly promised: Ballot;
  /** Accepted entries above the chosen watermark. */
  readonly accepted: readonly AcceptedEntry[];
  /** The highest slot such that every slot up to it is chosen and stored. */
  readonly chosenWatermark: number;
}

/** True when a Ready holds nothing to do. */
export function isEmptyReady(r: Ready): boolean {
  return r.promised === undefined && r.accepted.length === 0 && r.chosen.length === 0 && r.messages.length === 0;
}
