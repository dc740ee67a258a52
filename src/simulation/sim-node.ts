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
  /**
   * The storage's epoch, as the node's guard keeps it: bumped at every start and every promise
   * change, in the database and in a guard file beside it (`guardEpoch` of the node).
   */
  epoch = 0;

  constructor(public incarnation: string) {}

  /** A copy, as a database backup taken now would hold. */
  snapshot(): SimStorage {
    const copy = new SimStorage(this.incarnation);
    copy.promised = this.promised;
    for (const [slot, entry] of this.accepted) copy.accepted.set(slot, entry);
    copy.chosen.push(...this.chosen);
    copy.epoch = this.epoch;
    return copy;
  }

  /** Stores a Ready's acceptor part; returns an error text when the promise went backwards. */
  persistAcceptor(ready: Ready): string | null {
    if (ready.promised) {
      if (compareBallots(ready.promised, this.promised) < 0) return `promise went back from ${this.promised.round} to ${ready.promised.round}`;
      this.promised = ready.promised;
      this.epoch += 1;
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
      incarnation: this.incarnation,
      configChanges: this.chosen.flatMap((e) => (e.value.kind === 'config' ? [{ slot: e.slot, change: e.value.change }] : [])),
    };
  }
}

/** One simulated node: a replica, its storage, and the state machine that applies chosen values. */
export class SimNode {
  replica: Replica;
  storage: SimStorage;
  /** The guard file's epoch: outside the database, so a restored backup does not roll it back. */
  guardEpoch = 0;
  private incarnations = 0;
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
    this.storage = new SimStorage(this.newIncarnation());
    this.replica = new Replica(config, random, this.storage.restore());
  }

  private newIncarnation(): string {
    this.incarnations += 1;
    return `${this.id}i${this.incarnations}`;
  }

  /**
   * The storage is lost (a new disk). With the guard, the node's new storage gets a new
   * incarnation, as a newly created database does; without it (the mutation), the node comes
   * back under its old incarnation with no memory of its promises.
   */
  wipe(guard: boolean): void {
    this.storage = new SimStorage(guard ? this.newIncarnation() : this.storage.incarnation);
    this.guardEpoch = guard ? 0 : this.guardEpoch;
  }

  /**
   * The database is restored from an older backup. The guard sees its epoch below the guard
   * file's: it keeps the (valid) chosen log, drops the acceptor state and takes a new
   * incarnation. Without the guard the node votes from the old state.
   */
  rollBack(backup: SimStorage, guard: boolean): void {
    this.storage = backup.snapshot();
    if (!guard || this.storage.epoch >= this.guardEpoch) return;
    this.storage.incarnation = this.newIncarnation();
    this.storage.promised = BALLOT_ZERO;
    this.storage.accepted.clear();
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
    this.storage.epoch += 1;
    this.guardEpoch = this.storage.epoch;
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
      this.guardEpoch = Math.max(this.guardEpoch, this.storage.epoch);
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
    if (entry.value.kind !== 'batch') return;
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
