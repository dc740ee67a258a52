import type { Ballot } from './ballot';
import type { Message } from './messages';
import type { MembershipChange } from './membership';
import type { AcceptedEntry, ChosenEntry } from './value';

/**
 * What a replica hands its driver, to be handled in this order:
 * 1. send `sendFirst` (it may go while step 2 runs);
 * 2. persist `promised` and `accepted` durably, in one transaction;
 * 3. only then send `messages`;
 * 4. store and apply `chosen` (contiguous, in slot order), possibly later and batched with the
 *    chosen entries of following Readies: they are durable at a quorum already, and are stored
 *    here only to serve catch-up and restarts;
 * 5. call `advance(slot)` with the last slot stored and applied.
 */
export interface Ready {
  /** The acceptor's new promise, when it moved. */
  readonly promised?: Ballot;
  /** Accepts to store (a later accept of the same slot replaces an earlier one). */
  readonly accepted: readonly AcceptedEntry[];
  /** Newly chosen entries, contiguous from the previous Ready's, to store and apply in order. */
  readonly chosen: readonly ChosenEntry[];
  /** Messages that answer for this node's acceptor (promises, accepts) or its ballot: after the persist. */
  readonly messages: readonly Message[];
  /**
   * Messages that rely on nothing this Ready persists: the leader's Phase2a (its own accept only
   * counts once durable, and the chosen slot is announced by a later Ready), commits of slots
   * chosen in earlier steps, forwarded proposals, catch-up requests. Sending them while the
   * persist runs takes the leader's disk write off the critical path, as in Raft.
   */
  readonly sendFirst: readonly Message[];
}

/** What a replica restarts from: everything it persisted. */
export interface PersistentState {
  readonly promised: Ballot;
  /** Accepted entries above the chosen watermark. */
  readonly accepted: readonly AcceptedEntry[];
  /** The highest slot such that every slot up to it is chosen and stored. */
  readonly chosenWatermark: number;
  /** This storage's incarnation: a new one whenever the acceptor state is new (lost, wiped, restored). */
  readonly incarnation?: string;
  /** Every membership change in the stored log (at or below the watermark), in slot order. */
  readonly configChanges?: readonly { readonly slot: number; readonly change: MembershipChange }[];
}
