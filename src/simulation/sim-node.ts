import {
  BALLOT_ZERO,
  type AcceptedEntry,
  type Ballot,
  type ChosenEntry,
  type ConsensusConfig,
  type Message,
  type PersistentState,
  type Ready,
  Replica,
  catchupReply,
  compareBallots,
} from '../consensus';
import type { Random } from '../shared/random';

/** What survives a crash: exactly what a Ready persisted, as MySQL would keep it. */
export class SimStorage {
  promised: Ballot = BALLOT_ZERO;
  readonly accepted = new Map<number, AcceptedEntry>();
  readonly chosen: ChosenEntry[] = [];

  /** Stores a Ready's acceptor part; returns an error text when the promise went backwards. */
  persistAcceptor(ready: Ready): string | null {
    if (ready.promised) {
      if (compareBallots(ready.promised, this.promised) < 0) return `promise went back from ${this.promised.round} to ${ready.promised.round}`;
      this.promised = ready.promised;
    }
    for (const entry of ready.accepted) this.accepted.set(entry.slot, entry);
    return null;
  }

  /** Appends chosen entries to the stored log; returns an error text when they leave a gap. */
  storeChosen(entries: readonly ChosenEntry[]): string | null {
    for (const entry of entries) {
      if (entry.slot !== this.chosen.length + 1) return `chosen slot ${entry.slot} stored after ${this.chosen.length}`;
      this.chosen.push(entry);
      this.accepted.delete(entry.slot);
    }
    return null;
  }

  restore(): PersistentState {
    const watermark = this.chosen.length;
    return {
      promised: this.promised,
      accepted: [...this.accepted.values()].filter((e) => e.slot > watermark),
      chosenWatermark: watermark,
    };
  }
}

/** One simulated node: a replica, its storage, and the state machine that applies chosen values. */
export class SimNode {
  replica: Replica;
  readonly storage = new SimStorage();
  up = true;
  pausedUntil = -1;
  /** Command ids in the order this node applied them (a retried id is applied once). */
  applied: string[] = [];
  private appliedIds = new Set<string>();
  /** Clients waiting on this node for a command id. */
  readonly waiters = new Map<string, number>();
  violation: string | null = null;
  private pendingChosen: ChosenEntry[] = [];

  constructor(
    readonly id: string,
    private readonly config: ConsensusConfig,
    private readonly random: Random,
  ) {
    this.replica = new Replica(config, random);
  }

  isRunning(now: number): boolean {
    return this.up && now >= this.pausedUntil;
  }

  hasApplied(commandId: string): boolean {
    return this.appliedIds.has(commandId);
  }

  /** Loses everything not persisted. */
  crash(): void {
    this.up = false;
    this.pendingChosen = [];
    this.waiters.clear();
  }

  /** Starts again from storage, replaying the stored log into a fresh state machine. */
  restart(): void {
    const before = this.storage.promised;
    this.replica = new Replica(this.config, this.random, this.storage.restore());
    if (compareBallots(this.replica.status().promised, before) < 0) this.violation = 'promise went back across a restart';
    this.applied = [];
    this.appliedIds = new Set();
    for (const entry of this.storage.chosen) this.apply(entry, () => undefined);
    this.up = true;
  }

  /** Serves a catch-up request from the stored log. */
  serveCatchup(request: Extract<Message, { type: 'CatchupRequest' }>): Message {
    const from = request.fromSlot - 1;
    const stored = this.storage.chosen.slice(from, from + this.config.catchupBatchMax);
    return catchupReply(request, stored, this.storage.chosen.length, this.config.catchupBatchMax);
  }

  /**
   * Drives the replica's output as the real driver does: send what may go first, persist the
   * acceptor state, send the rest, and queue chosen entries. Chosen entries are stored and
   * applied later, in batches (`applyPending`), and a crash before that loses them.
   */
  processReady(send: (m: Message) => void): ChosenEntry[] {
    const chosen: ChosenEntry[] = [];
    for (let round = 0; round < 100 && this.replica.hasReady(); round++) {
      const ready = this.replica.ready();
      for (const m of ready.sendFirst) send(m);
      const error = this.storage.persistAcceptor(ready);
      if (error) this.violation ??= error;
      for (const m of ready.messages) send(m);
      this.pendingChosen.push(...ready.chosen);
      chosen.push(...ready.chosen);
    }
    return chosen;
  }

  /** Stores and applies the queued chosen entries in one batch, then advances the replica. */
  applyPending(ack: (client: number, id: string) => void): void {
    const entries = this.pendingChosen;
    if (entries.length === 0) return;
    this.pendingChosen = [];
    const error = this.storage.storeChosen(entries);
    if (error) this.violation ??= error;
    for (const entry of entries) this.apply(entry, ack);
    this.replica.advance(entries[entries.length - 1].slot);
  }

  private apply(entry: ChosenEntry, ack: (client: number, id: string) => void): void {
    if (entry.value.kind === 'noop') return;
    for (const value of entry.value.values) {
      if (!this.appliedIds.has(value.id)) {
        this.appliedIds.add(value.id);
        this.applied.push(value.id);
      }
      const client = this.waiters.get(value.id);
      if (client !== undefined) {
        this.waiters.delete(value.id);
        ack(client, value.id);
      }
    }
  }
}
