import { assert } from '../shared/assert';
import { type Ballot, compareBallots } from './ballot';
import type { AcceptedEntry, SlotValue } from './value';

/** What an acceptor answers: a promise or accept, or a refusal naming its higher promise. */
export type AcceptorAnswer = { readonly ok: true } | { readonly ok: false; readonly promised: Ballot };

/**
 * The acceptor's state: its promise and what it accepted above the chosen watermark. Every
 * change is queued for persistence; the driver stores it before any answer leaves the node.
 */
export class Acceptor {
  private promisedBallot: Ballot;
  private readonly accepted = new Map<number, AcceptedEntry>();
  private promiseDirty = false;
  private acceptedDirty: AcceptedEntry[] = [];

  constructor(promised: Ballot, accepted: readonly AcceptedEntry[]) {
    this.promisedBallot = promised;
    for (const entry of accepted) this.accepted.set(entry.slot, entry);
  }

  get promised(): Ballot {
    return this.promisedBallot;
  }

  /** Phase1a: promise when `ballot` is at least the current promise (equal: a retransmission). */
  onPhase1a(ballot: Ballot): AcceptorAnswer {
    if (compareBallots(ballot, this.promisedBallot) < 0) return { ok: false, promised: this.promisedBallot };
    this.raisePromise(ballot);
    return { ok: true };
  }

  /** Phase2a: accept unless a higher ballot was promised; accepting also promises `ballot`. */
  onPhase2a(ballot: Ballot, slot: number, value: SlotValue): AcceptorAnswer {
    if (compareBallots(ballot, this.promisedBallot) < 0) return { ok: false, promised: this.promisedBallot };
    this.raisePromise(ballot);
    const entry: AcceptedEntry = { slot, ballot, value };
    this.accepted.set(slot, entry);
    this.acceptedDirty.push(entry);
    return { ok: true };
  }

  /** What this acceptor accepted in `slot`, if anything. */
  acceptedAt(slot: number): AcceptedEntry | undefined {
    return this.accepted.get(slot);
  }

  /** Every accepted entry at or above `fromSlot`, in slot order. */
  acceptedFrom(fromSlot: number): AcceptedEntry[] {
    return [...this.accepted.values()].filter((e) => e.slot >= fromSlot).sort((a, b) => a.slot - b.slot);
  }

  /** Forgets accepts at or below a chosen watermark: chosen slots are answered from the log. */
  prune(uptoSlot: number): void {
    for (const slot of this.accepted.keys()) if (slot <= uptoSlot) this.accepted.delete(slot);
  }

  /** True when something changed since the last `takeChanges`. */
  hasChanges(): boolean {
    return this.promiseDirty || this.acceptedDirty.length > 0;
  }

  /** Hands over what changed since the last call, for the driver to persist. */
  takeChanges(): { promised?: Ballot; accepted: AcceptedEntry[] } {
    const changes = { promised: this.promiseDirty ? this.promisedBallot : undefined, accepted: this.acceptedDirty };
    this.promiseDirty = false;
    this.acceptedDirty = [];
    return changes;
  }

  private raisePromise(ballot: Ballot): void {
    const order = compareBallots(ballot, this.promisedBallot);
    assert(order >= 0, 'a promise never goes backwards');
    if (order === 0) return;
    this.promisedBallot = ballot;
    this.promiseDirty = true;
  }
}
