import {
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
} from '../../consensus';
import { AssertionError } from '../../shared/assert';
import type { Random } from '../../shared/random';
import { encodeMessage } from './protocol-codec';

/** The durable side the driver needs: the node's acceptor storage. */
export interface DriverStorage<Trx> {
  load(): Promise<PersistentState>;
  persist(ready: Ready, extra?: (trx: Trx) => Promise<void>): Promise<void>;
  readChosen(fromSlot: number, maxSlots: number): Promise<ChosenEntry[]>;
}

/** The network side the driver needs: the protocol transport. */
export interface DriverTransport {
  start(onMessage: (message: Message) => void): void;
  send(messages: readonly Message[]): void;
  close(): void;
}

/** The state machine that chosen entries are applied to. */
export interface ChosenApplier<Trx> {
  /** Writes the effects of chosen entries inside the transaction that stores them. Deterministic. */
  applyInTransaction(trx: Trx, entries: readonly ChosenEntry[]): Promise<void>;
  /** Runs once the transaction committed: answers waiters, publishes. */
  afterCommit(entries: readonly ChosenEntry[]): void;
  /** Forgets in-memory state after a failed transaction and reloads it from the database. */
  reload(): Promise<void>;
}

/** Counters the driver keeps for metrics and status. */
export interface DriverCounters {
  readies: number;
  persistFailures: number;
  recoveries: number;
  catchupServed: number;
  lastPersistMs: number;
}

export interface DriverOptions<Trx> {
  config: ConsensusConfig;
  random: Random;
  storage: DriverStorage<Trx>;
  transport: DriverTransport;
  applier: ChosenApplier<Trx>;
  tickMs: number;
  maxMessageBytes: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const READIES_PER_DRAIN_MAX = 1000;
const CATCHUP_SERVING_MAX = 4;
const RECOVERY_BACKOFF_MS = [100, 250, 500, 1000, 2000];

/**
 * Drives a Replica for real: ticks on a timer, steps messages from NATS, and for each Ready
 * persists (one MySQL transaction, group commit of everything that arrived meanwhile), then
 * sends, then applies, then advances. A failed persist leaves the replica's memory ahead of
 * its storage, so the driver rebuilds the replica from storage, as after a crash.
 */
export class ReplicaDriver<Trx> {
  private replica!: Replica;
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private recovering = false;
  private stopped = false;
  private catchupServing = 0;
  readonly counters: DriverCounters = { readies: 0, persistFailures: 0, recoveries: 0, catchupServed: 0, lastPersistMs: 0 };

  constructor(private readonly options: DriverOptions<Trx>) {}

  /** Loads the persisted state, starts the transport and the tick timer. */
  async start(): Promise<void> {
    this.replica = new Replica(this.options.config, this.options.random, await this.options.storage.load());
    this.options.transport.start((m) => this.onMessage(m));
    this.timer = setInterval(() => this.onTick(), this.options.tickMs);
    this.timer.unref?.();
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

  status(): ReplicaStatus {
    return this.replica.status();
  }

  get isRecovering(): boolean {
    return this.recovering;
  }

  private onMessage(message: Message): void {
    if (this.stopped || this.recovering) return;
    if (message.type === 'CatchupRequest') return void this.serveCatchup(message);
    this.replica.step(message);
    this.kick();
  }

  private onTick(): void {
    if (this.stopped || this.recovering) return;
    this.replica.tick();
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.recovering || this.stopped || !this.replica.hasReady()) return;
    this.draining = true;
    void this.drain().finally(() => {
      this.draining = false;
      this.kick();
    });
  }

  /** Send what may go first, persist, then send the rest, apply, advance: one Ready at a time, in order. */
  private async drain(): Promise<void> {
    for (let i = 0; i < READIES_PER_DRAIN_MAX && this.replica.hasReady() && !this.stopped; i++) {
      const ready = this.replica.ready();
      const started = performance.now();
      const { applier } = this.options;
      this.options.transport.send(ready.sendFirst);
      try {
        const extra = ready.chosen.length > 0 ? (trx: Trx) => applier.applyInTransaction(trx, ready.chosen) : undefined;
        await this.options.storage.persist(ready, extra);
      } catch (error) {
        if (error instanceof AssertionError) throw error;
        this.counters.persistFailures += 1;
        this.options.log('error', `persist failed, rebuilding the replica from storage: ${describe(error)}`);
        await this.recover();
        return;
      }
      this.counters.readies += 1;
      this.counters.lastPersistMs = performance.now() - started;
      this.options.transport.send(ready.messages);
      applier.afterCommit(ready.chosen);
      this.replica.advance(ready);
    }
  }

  /** After a failed persist: reload storage and state machine until MySQL answers again. */
  private async recover(): Promise<void> {
    this.recovering = true;
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.options.applier.reload();
        this.replica = new Replica(this.options.config, this.options.random, await this.options.storage.load());
        this.counters.recoveries += 1;
        this.recovering = false;
        this.options.log('info', 'replica rebuilt from storage');
        return;
      } catch (error) {
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
