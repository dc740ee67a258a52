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
  valueKey,
} from '../consensus';
import type { Random } from '../shared/random';

/**
 * What survives a crash: exactly what a Ready persisted, as MySQL keeps it (migration 0016). The
 * log is one row per slot, kept: an accept, or at or below the chosen watermark the chosen value.
 * Storing a chosen slot overwrites its row's value (keeping the ballot; ballot zero where the node
 * accepted nothing) and raises the watermark, in one atomic step per stored batch.
 */
export class SimStorage {
  promised: Ballot = BALLOT_ZERO;
  /** The log table: one row per slot, never pruned. */
  readonly accepted = new Map<number, AcceptedEntry>();
  /** Every slot up to it is chosen, and its row holds the chosen value. */
  watermark = 0;
  /**
   * The storage's epoch, as the node's guard keeps it: bumped at every start and every promise
   * change, in the database and in a guard file beside it (`guardEpoch` of the node).
   */
  epoch = 0;

  constructor(public incarnation: string) {}

  /** The chosen log: the rows at or below the watermark, in slot order. */
  get chosen(): ChosenEntry[] {
    const log: ChosenEntry[] = [];
    for (let slot = 1; slot <= this.watermark; slot++) log.push({ slot, value: this.accepted.get(slot)!.value });
    return log;
  }

  /** A copy, as a database backup taken now would hold. */
  snapshot(): SimStorage {
    const copy = new SimStorage(this.incarnation);
    copy.promised = this.promised;
    for (const [slot, entry] of this.accepted) copy.accepted.set(slot, entry);
    copy.watermark = this.watermark;
    copy.epoch = this.epoch;
    return copy;
  }

  /** Stores a Ready's acceptor part; returns an error text when the promise went backwards or a chosen slot would change. */
  persistAcceptor(ready: Ready): string | null {
    if (ready.promised) {
      if (compareBallots(ready.promised, this.promised) < 0) return `promise went back from ${this.promised.round} to ${ready.promised.round}`;
      this.promised = ready.promised;
      this.epoch += 1;
    }
    for (const entry of ready.accepted) {
      const stored = this.accepted.get(entry.slot);
      if (entry.slot <= this.watermark && stored && valueKey(stored.value) !== valueKey(entry.value)) {
        return `accept of slot ${entry.slot} at or below the watermark ${this.watermark} with a value other than the chosen one`;
      }
      this.accepted.set(entry.slot, entry);
    }
    return null;
  }

  /** Stores chosen entries in one atomic step; returns an error text when they leave a gap or change a chosen value. */
  storeChosen(entries: readonly ChosenEntry[]): string | null {
    let watermark = this.watermark;
    const rows: AcceptedEntry[] = [];
    for (const entry of entries) {
      if (entry.slot <= watermark) {
        const stored = entry.slot <= this.watermark ? this.accepted.get(entry.slot) : rows.find((r) => r.slot === entry.slot);
        if (stored && valueKey(stored.value) !== valueKey(entry.value)) return `chosen slot ${entry.slot} stored again with another value`;
        continue;
      }
      if (entry.slot !== watermark + 1) return `chosen slot ${entry.slot} stored after ${watermark}`;
      rows.push({ slot: entry.slot, ballot: this.accepted.get(entry.slot)?.ballot ?? BALLOT_ZERO, value: entry.value });
      watermark = entry.slot;
    }
    for (const row of rows) this.accepted.set(row.slot, row);
    this.watermark = watermark;
    return null;
  }

  /**
   * The watermark goes back to `keep`, as when the transactions that stored the slots above it
   * never committed: rows learned without an accept go, accepts stay (with the chosen values
   * they were overwritten with, which the acceptor may have accepted itself).
   */
  loseChosenAbove(keep: number): void {
    for (const [slot, row] of this.accepted) if (slot > keep && slot <= this.watermark && row.ballot.round === 0) this.accepted.delete(slot);
    this.watermark = Math.min(this.watermark, keep);
  }

  restore(): PersistentState {
    const watermark = this.watermark;
    return {
      promised: this.promised,
      // As the real load: rows of ballot zero above the watermark are no accepts.
      accepted: [...this.accepted.values()].filter((e) => e.slot > watermark && e.ballot.round > 0).sort((a, b) => a.slot - b.slot),
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
    readonly config: ConsensusConfig,
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
    // The rows at or below the watermark are the chosen log, kept; the accepts above it go.
    for (const slot of [...this.storage.accepted.keys()]) if (slot > this.storage.watermark) this.storage.accepted.delete(slot);
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
    const stored: ChosenEntry[] = [];
    const last = Math.min(this.storage.watermark, request.fromSlot + this.config.catchupBatchMax - 1);
    for (let slot = request.fromSlot; slot <= last; slot++) stored.push({ slot, value: this.storage.accepted.get(slot)!.value });
    return catchupReply(request, stored, this.storage.watermark, this.config.catchupBatchMax);
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

  /**
   * A crash inside an apply batch: a store larger than one call is split, each part committed
   * on its own, so the first half of the queued entries is stored and applied, then the node
   * stops and the rest is lost.
   */
  crashMidApply(ack: (client: number, id: string) => void): void {
    const half = Math.ceil(this.pendingChosen.length / 2);
    this.pendingChosen = this.pendingChosen.slice(0, half);
    this.applyPending(ack);
    this.crash();
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
