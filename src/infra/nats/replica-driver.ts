import {
  type ChangeRequest,
  type ChangeResult,
  type CatchupRequest,
  type ChosenEntry,
  type ClientValue,
  type ConsensusConfig,
  type Message,
  type PersistentState,
  type ProposeResult,
  type Ready,
  Replica,
  type ReplicaStatus,
  catchupReply,
  formatBallot,
} from '../../consensus';
import { AssertionError } from '../../shared/assert';
import { type FatalHandler, failStop } from '../../shared/fail-stop';
import type { Random } from '../../shared/random';
import { encodeMessage } from './protocol-codec';

/** The durable side the driver needs: the node's acceptor storage. */
export interface DriverStorage {
  load(): Promise<PersistentState>;
  /** Stores a Ready's promise and accepts durably, in one transaction. */
  persist(ready: Ready): Promise<void>;
  readChosen(fromSlot: number, maxSlots: number): Promise<ChosenEntry[]>;
}

/** The network side the driver needs: the protocol transport. */
export interface DriverTransport {
  start(onMessage: (message: Message) => void): void;
  send(messages: readonly Message[]): void;
  close(): void;
}

/**
 * The state machine that chosen entries are applied to, in two steps: `plan` decides final
 * outcomes in memory (in slot order, one call at a time) and answers callers; `store` writes
 * the chosen entries with their rows.
 */
export interface ChosenApplier<Batch extends { entries: readonly ChosenEntry[] }> {
  plan(entries: readonly ChosenEntry[]): Promise<Batch>;
  /** Stores planned batches (chosen entries and their rows) durably, in one transaction, in order. */
  store(batches: readonly Batch[]): Promise<void>;
  /** Runs once the transaction that wrote `batch` committed. */
  written(batch: Batch): void;
  /** Forgets what was planned but not written and reloads from the database. */
  reload(): Promise<void>;
}

/** Counters the driver keeps for metrics and status. */
export interface DriverCounters {
  readies: number;
  applies: number;
  /** Milliseconds spent in acceptor persists and in apply transactions, summed. */
  persistMsTotal: number;
  applyMsTotal: number;
  persistFailures: number;
  recoveries: number;
  catchupServed: number;
  lastPersistMs: number;
  /** Ticks handed to the replica so far (an idle node should add one per heartbeat interval, no more). */
  ticks: number;
}

export interface DriverOptions<Batch extends { entries: readonly ChosenEntry[] }> {
  config: ConsensusConfig;
  random: Random;
  storage: DriverStorage;
  transport: DriverTransport;
  applier: ChosenApplier<Batch>;
  tickMs: number;
  maxMessageBytes: number;
  /** Log lines; `fields` are structured (ballot, reason) for JSON logs. */
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Told how long each acceptor persist took, in seconds (metrics). */
  onPersisted?: (seconds: number) => void;
  /** Told each time this node sees the leader change to another node (metrics). */
  onLeaderChange?: () => void;
  /** What a broken invariant does (default: failStop, a fatal line and exit); tests of the driver pass their own. */
  onFatal?: FatalHandler;
}

/** The role, leader and ballot the driver last saw, to log elections and step-downs once each. */
interface SeenRole {
  readonly role: ReplicaStatus['role'];
  readonly leaderId: string | null;
  readonly ballot: string;
}

const READIES_PER_DRAIN_MAX = 1000;
/** Chosen slots one plan (and so the smallest write) covers at most: a catch-up Ready may bring hundreds. */
const PLAN_BATCH_SLOTS_MAX = 32;
/** Chosen slots one write transaction stores at most. */
const WRITE_BATCH_SLOTS_MAX = 256;
/** Chosen slots planned but not yet written, at most: past it the acceptor loop waits. */
const WRITE_BEHIND_SLOTS_MAX = 2048;
const CATCHUP_SERVING_MAX = 4;
const RECOVERY_BACKOFF_MS = [100, 250, 500, 1000, 2000];

/**
 * Drives a Replica for real: ticks on a timer, steps messages from NATS, and runs two loops.
 * The acceptor loop persists each Ready's promise and accepts (one MySQL transaction: group
 * commit of everything that arrived meanwhile) before sending its answers; the apply loop
 * stores chosen entries and applies them in batches beside it. A failed transaction leaves the
 * replica's memory ahead of its storage, so the driver rebuilds the replica from storage, as
 * after a crash.
 */
export class ReplicaDriver<Batch extends { entries: readonly ChosenEntry[] }> {
  private replica!: Replica;
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private writing = false;
  /** The acceptor loop's and the write loop's runs under way, for recovery to wait on. */
  private drainRun: Promise<void> = Promise.resolve();
  private writeRun: Promise<void> = Promise.resolve();
  /** Planning runs one batch at a time, in slot order, chained here. */
  private planning: Promise<void> = Promise.resolve();
  /** Planned batches waiting for the write loop, and how many slots they hold. */
  private writeQueue: Batch[] = [];
  private unwrittenSlots = 0;
  /** Bumped by each recovery, so a loop that was mid-transaction leaves the new replica alone. */
  private epoch = 0;
  private recovering = false;
  private stopped = false;
  private catchupServing = 0;
  private seenRole: SeenRole | undefined;
  private lastLeader: string | null = null;
  readonly counters: DriverCounters = { readies: 0, applies: 0, persistMsTotal: 0, applyMsTotal: 0, persistFailures: 0, recoveries: 0, catchupServed: 0, lastPersistMs: 0, ticks: 0 };
  private readonly roleListeners: (() => void)[] = [];

  constructor(private readonly options: DriverOptions<Batch>) {}

  /** Loads the persisted state, starts the transport and the tick timer. */
  async start(): Promise<void> {
    this.replica = new Replica(this.options.config, this.options.random, await this.options.storage.load());
    this.options.transport.start((m) => this.onMessage(m));
    this.timer = setInterval(() => this.onTick(), this.options.tickMs);
    this.timer.unref?.();
  }

  /**
   * Waits, at most `timeoutMs`, until every chosen entry planned so far is stored. A stop after
   * it leaves no chosen tail for the next start to recover: a tail longer than the accept window
   * makes a candidate learn first, and with no peer further ahead (one node, or every node
   * stopped alike) nobody could teach it.
   */
  async flushWrites(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      while (Date.now() < deadline && !this.stopped && !this.recovering) {
        // A plan or a write that hangs (MySQL gone) holds the stop up to the deadline, no longer.
        if ((await Promise.race([this.planning, timeout])) === 'timeout') return;
        if (!this.writing && this.writeQueue.length === 0) return;
        if ((await Promise.race([this.writeRun, timeout])) === 'timeout') return;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops ticking and receiving; a persist under way finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.options.transport.close();
  }

  /** Offers client values to the log (see Replica.propose). */
  propose(values: readonly ClientValue[]): ProposeResult {
    if (this.recovering || this.stopped) return { status: 'no-leader' };
    const result = this.replica.propose(values);
    this.kick();
    return result;
  }

  /** Hands a membership change to the replica (only a leader takes it); see `Replica.proposeChange`. */
  proposeChange(request: ChangeRequest): ChangeResult {
    if (this.recovering || this.stopped) return { status: 'not-leader', leaderId: null };
    const result = this.replica.proposeChange(request);
    this.kick();
    return result;
  }

  status(): ReplicaStatus {
    return this.replica.status();
  }

  /** Calls `listener` (within a tick) each time this node's role or the leader it knows changes. */
  onRoleChange(listener: () => void): void {
    this.roleListeners.push(listener);
  }

  get isRecovering(): boolean {
    return this.recovering;
  }

  private onMessage(message: Message): void {
    if (this.stopped || this.recovering) return;
    if (message.type === 'CatchupRequest') return void this.serveCatchup(message);
    try {
      this.replica.step(message);
    } catch (error) {
      return this.fatalOrThrow(`step(${message.type} from ${message.from})`, error);
    }
    this.kick();
  }

  private onTick(): void {
    if (this.stopped || this.recovering) return;
    this.counters.ticks += 1;
    try {
      this.replica.tick();
    } catch (error) {
      return this.fatalOrThrow('tick', error);
    }
    this.kick();
    this.logRoleChange();
  }

  /**
   * Logs an election won or started, a step-down and a new leader followed, with ballot and
   * reason. Looked at once per tick, so a change is logged within one tick of happening.
   */
  private logRoleChange(): void {
    const status = this.replica.status();
    const seen: SeenRole = { role: status.role, leaderId: status.leaderId, ballot: formatBallot(status.ballot) };
    const before = this.seenRole;
    this.seenRole = seen;
    if (seen.leaderId !== null && seen.leaderId !== this.lastLeader) {
      if (this.lastLeader !== null) this.options.onLeaderChange?.();
      this.lastLeader = seen.leaderId;
    }
    if (before === undefined || (before.role === seen.role && before.leaderId === seen.leaderId && before.ballot === seen.ballot)) return;
    for (const listener of this.roleListeners) listener();
    const fields = { event: 'role-change', role: seen.role, previousRole: before.role, ballot: seen.ballot, previousBallot: before.ballot, leader: seen.leaderId, reason: status.roleReason };
    const { log } = this.options;
    if (seen.role === 'leader' && before.role !== 'leader') log('info', `elected leader at ballot ${seen.ballot} (${status.roleReason})`, fields);
    else if (before.role === 'leader' && seen.role !== 'leader') log('warn', `stepped down as leader of ballot ${before.ballot} (${status.roleReason})`, fields);
    else if (seen.role === 'candidate' && before.role !== 'candidate') log('info', `campaigning at ballot ${seen.ballot} (${status.roleReason})`, fields);
    else if (seen.role === 'follower' && seen.leaderId !== null && seen.leaderId !== before.leaderId) log('info', `following leader ${seen.leaderId} at ballot ${seen.ballot}`, fields);
  }

  /**
   * A broken invariant stops the node at once (fail-stop): the driver stops ticking, receiving and
   * writing, then the fatal handler runs (by default it logs a fatal line and exits the process).
   * Anything else is rethrown to the caller.
   */
  private fatalOrThrow(where: string, error: unknown): void {
    if (!(error instanceof AssertionError)) throw error;
    this.stop();
    (this.options.onFatal ?? failStop)(`replica driver ${where}`, error);
  }

  private kick(): void {
    if (this.draining || this.recovering || this.stopped || !this.replica.hasReady()) return;
    // Back-pressure: choose no further ahead of what is written than a bounded number of slots.
    if (this.unwrittenSlots >= WRITE_BEHIND_SLOTS_MAX) return;
    this.draining = true;
    this.drainRun = this.drain().finally(() => {
      this.draining = false;
      this.kick();
    });
  }

  /**
   * The acceptor loop, one Ready at a time in order: send what may go first, persist the promise
   * and accepts, send the rest, and queue chosen entries for the apply loop.
   */
  private async drain(): Promise<void> {
    const epoch = this.epoch;
    for (let i = 0; i < READIES_PER_DRAIN_MAX && this.replica.hasReady() && !this.stopped; i++) {
      const ready = this.replica.ready();
      const started = performance.now();
      this.options.transport.send(ready.sendFirst);
      try {
        await this.options.storage.persist({ ...ready, chosen: [] });
      } catch (error) {
        return this.failed(epoch, 'persist', error);
      }
      if (epoch !== this.epoch) return;
      this.counters.readies += 1;
      this.counters.lastPersistMs = performance.now() - started;
      this.counters.persistMsTotal += this.counters.lastPersistMs;
      this.options.onPersisted?.(this.counters.lastPersistMs / 1000);
      this.options.transport.send(ready.messages);
      for (let i = 0; i < ready.chosen.length; i += PLAN_BATCH_SLOTS_MAX) {
        this.planChosen(ready.chosen.slice(i, i + PLAN_BATCH_SLOTS_MAX), epoch);
      }
    }
  }

  /** Plans chosen entries right away (answering callers), then queues them for writing. */
  private planChosen(entries: readonly ChosenEntry[], epoch: number): void {
    this.unwrittenSlots += entries.length;
    this.planning = this.planning.then(async () => {
      if (epoch !== this.epoch) return;
      let batch: Batch;
      try {
        batch = await this.options.applier.plan(entries);
      } catch (error) {
        return this.failed(epoch, 'plan', error);
      }
      if (epoch !== this.epoch) return;
      this.writeQueue.push(batch);
      this.kickWrite();
    });
  }

  private kickWrite(): void {
    if (this.writing || this.recovering || this.stopped || this.writeQueue.length === 0) return;
    this.writing = true;
    this.writeRun = this.writeQueued().finally(() => {
      this.writing = false;
      this.kickWrite();
      this.kick();
    });
  }

  /**
   * The write loop: stores planned batches (chosen entries and their rows) in one transaction,
   * in slot order, then advances the replica. It runs beside the acceptor loop, so large
   * writes never hold up accepts.
   */
  private async writeQueued(): Promise<void> {
    const epoch = this.epoch;
    const batches = this.takeWriteBatches();
    const entries = batches.flatMap((b) => b.entries);
    const { applier } = this.options;
    const started = performance.now();
    try {
      await applier.store(batches);
    } catch (error) {
      return this.failed(epoch, 'write', error);
    }
    if (epoch !== this.epoch) return;
    this.counters.applies += 1;
    this.counters.applyMsTotal += performance.now() - started;
    for (const batch of batches) applier.written(batch);
    this.unwrittenSlots -= entries.length;
    const applied = entries[entries.length - 1].slot;
    this.replica.advance(applied);
  }

  private takeWriteBatches(): Batch[] {
    const taken: Batch[] = [];
    let slots = 0;
    while (this.writeQueue.length > 0 && (taken.length === 0 || slots + this.writeQueue[0].entries.length <= WRITE_BATCH_SLOTS_MAX)) {
      const batch = this.writeQueue.shift() as Batch;
      slots += batch.entries.length;
      taken.push(batch);
    }
    return taken;
  }

  /**
   * A failed transaction: an assertion stops the node (fail-stop); anything else starts a rebuild from
   * storage. The epoch moves at once, so no loop hands this replica's work on any more.
   */
  private async failed(epoch: number, what: string, error: unknown): Promise<void> {
    if (error instanceof AssertionError) return this.fatalOrThrow(what, error);
    if (epoch !== this.epoch || this.recovering) return;
    this.counters.persistFailures += 1;
    this.options.log('error', `${what} failed, rebuilding the replica from storage: ${describe(error)}`);
    this.recovering = true;
    this.epoch += 1;
    void this.recover();
  }

  /**
   * After a failed transaction: wait until the acceptor persist, the plan and the write that were
   * under way have settled (one committing after the reload would leave memory behind storage),
   * then reload storage and state machine until MySQL answers again.
   */
  private async recover(): Promise<void> {
    await Promise.allSettled([this.drainRun, this.writeRun, this.planning]);
    this.writeQueue = [];
    this.unwrittenSlots = 0;
    this.planning = Promise.resolve();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.options.applier.reload();
        this.replica = new Replica(this.options.config, this.options.random, await this.options.storage.load());
        this.counters.recoveries += 1;
        this.recovering = false;
        this.options.log('info', 'replica rebuilt from storage');
        return;
      } catch (error) {
        if (error instanceof AssertionError) return this.fatalOrThrow('recovery', error);
        this.options.log('warn', `storage still unavailable: ${describe(error)}`);
        await sleep(RECOVERY_BACKOFF_MS[Math.min(attempt, RECOVERY_BACKOFF_MS.length - 1)]);
      }
    }
  }

  /** Answers a peer's catch-up from the stored log, trimmed to fit one NATS message. */
  private async serveCatchup(request: CatchupRequest): Promise<void> {
    if (this.catchupServing >= CATCHUP_SERVING_MAX) return;
    this.catchupServing += 1;
    try {
      const max = Math.min(request.maxSlots, this.options.config.catchupBatchMax);
      const stored = await this.options.storage.readChosen(request.fromSlot, max);
      const watermark = this.replica.status().appliedWatermark;
      let reply = catchupReply(request, stored, watermark, max);
      while (reply.entries.length > 1 && encodeMessage(reply).byteLength > this.options.maxMessageBytes) {
        reply = { ...reply, entries: reply.entries.slice(0, Math.ceil(reply.entries.length / 2)) };
      }
      this.options.transport.send([reply]);
      this.counters.catchupServed += 1;
    } catch (error) {
      if (error instanceof AssertionError) return this.fatalOrThrow('catch-up', error);
      this.options.log('warn', `catch-up for ${request.from} failed: ${describe(error)}`);
    } finally {
      this.catchupServing -= 1;
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
