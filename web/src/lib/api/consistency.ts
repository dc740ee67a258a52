import { createStore } from '../store';

/** What the app knows of the cluster's quorum from the answers it got. */
export interface ConsistencyState {
  /** A read came back `X-Consistency: stale`, or a write was refused with 503. */
  noQuorum: boolean;
  /** Writes queued with `Prefer: respond-async`, waiting to apply. */
  pending: { commandId: string; label: string; since: number }[];
}

/** Max queued writes the app tracks; older ones drop from the banner (they still apply). */
export const PENDING_WRITES_MAX = 50;

export const consistencyStore = createStore<ConsistencyState>({ noQuorum: false, pending: [] });

/** Records what one answer said about the quorum. */
export function noteConsistency(noQuorum: boolean): void {
  consistencyStore.set((s) => (s.noQuorum === noQuorum ? s : { ...s, noQuorum }));
}

/** Adds a queued write. */
export function addPendingWrite(commandId: string, label: string): void {
  consistencyStore.set((s) => ({
    ...s,
    pending: [...s.pending.filter((p) => p.commandId !== commandId), { commandId, label, since: Date.now() }].slice(-PENDING_WRITES_MAX),
  }));
}

/** Removes a queued write once it applied or was refused. */
export function removePendingWrite(commandId: string): void {
  consistencyStore.set((s) => ({ ...s, pending: s.pending.filter((p) => p.commandId !== commandId) }));
}

let seenPosition = 0;

/**
 * The highest log position this tab has seen (a write's `X-Log-Position`, a live event's id).
 * Reads send it as `X-Min-Position`, so a refetch after a change shows that change.
 */
export function notePosition(position: number): void {
  if (Number.isSafeInteger(position) && position > seenPosition) seenPosition = position;
}

/** See notePosition. */
export function seenLogPosition(): number {
  return seenPosition;
}
