import { BatchLoop } from './batch-loop';
import type { Kysely, Transaction } from 'kysely';
import { assert } from '../shared/assert';
import { advanceCheckpoint, assertCheckpointName, loadCheckpoint } from './checkpoint-store';
import { readEventRows } from './event-reader';
import type { EventLogRow } from './logged-event';
import type { LogTail } from './log-tail';
import { PositionWaiters } from './position-waiters';
import { type ProjectionRoutes, type ProjectionSet, projectionRoutes } from './projection';
import { type PlannedProjectionBatch, planProjectionBatch } from './projection-batch';
import { ProjectorStoppedError } from './projection-errors';
import type { ReadModelDatabase } from './read-model-database';
import type { ReadModelTable } from './read-model-tables';
import { type TableNames, prefixedTables, writeUpsertGroup } from './upsert-writer';

/** Events per batch (one read, one transaction) unless configured. */
export const PROJECTOR_BATCH_EVENTS_DEFAULT = 1000;
/** Events per batch at most: bounds the memory of a batch and the length of its transaction. */
export const PROJECTOR_BATCH_EVENTS_MAX = 50_000;
/** How often the run loop looks at the log when no notify came, unless configured: a safety net, as every written batch notifies. */
export const PROJECTOR_POLL_INTERVAL_DEFAULT_MS = 5000;
/** The poll interval at most. */
export const PROJECTOR_POLL_INTERVAL_MAX_MS = 60_000;
/**
 * A batch that changes no row (events of streams no projection reads, such as `log` records)
 * moves the checkpoint in memory only, until the unwritten advance reaches this many events: it
 * saves a transaction (and its fsync) per such batch, and re-reading them after a restart changes
 * nothing.
 */
export const PROJECTOR_UNWRITTEN_EVENTS_MAX = 1000;
/** Reads waiting for a position at once, unless configured. */
export const PROJECTOR_WAITERS_DEFAULT = 10_000;

/** Test and tooling seams inside a batch's transaction. */
export interface ProjectorHooks {
  /** Runs after each upsert statement group of a batch, inside its transaction; a throw rolls the batch back. */
  readonly afterUpsert?: (trx: Transaction<ReadModelDatabase>, table: ReadModelTable) => Promise<void> | void;
}

/** A batch read and folded, and whether the read was full (more events likely follow). */
interface PlannedRead {
  readonly batch: PlannedProjectionBatch;
  readonly full: boolean;
}

/** The next batch, read and folded while the one before it was written. */
interface ReadAhead {
  readonly after: number;
  readonly limit: number;
  readonly planned: Promise<PlannedRead | null>;
}

/** What one committed batch did (for progress bars and metrics). */
export interface ProjectorBatchInfo {
  readonly from: number;
  readonly to: number;
  readonly events: number;
  readonly rows: number;
}

/** How a projector runs; every field has a default. */
export interface ProjectorOptions {
  /** Events per batch, 1..PROJECTOR_BATCH_EVENTS_MAX (default 1000; a rebuild wants more). */
  readonly batchEventsMax?: number;
  /** The poll fallback of `run()` when no notify comes, 1..PROJECTOR_POLL_INTERVAL_MAX_MS. */
  readonly pollIntervalMs?: number;
  /** Reads that may wait for a position at once. */
  readonly waitersMax?: number;
  /** The checkpoint's name (default: the set's name; a rebuild uses its own). */
  readonly checkpointName?: string;
  /** Prefix of the physical tables written (default '' for the live tables; e.g. `shadow_`). */
  readonly tablePrefix?: string;
  readonly hooks?: ProjectorHooks;
  /** The node's newest committed events in memory: batches it holds are not read back from MySQL. */
  readonly tail?: LogTail;
  /** Told of every failed batch of `run()` (the loop retries with backoff). */
  readonly onError?: (error: unknown) => void;
  /** Told of every committed batch. */
  readonly onBatch?: (info: ProjectorBatchInfo) => void;
}

/**
 * Applies the log to one projection set's read models. Each batch reads events after the
 * checkpoint (at most `batchEventsMax`), folds them in memory into one upsert per row, and writes
 * the rows and the new checkpoint in one transaction: a crash neither skips nor repeats an event.
 * Batches run one at a time (catchUp, run and whilePaused share one queue).
 *
 * @example
 * const projector = new Projector(readModelDb(db), READ_MODELS, { onError: (e) => log.warn(e) });
 * void projector.run();                      // then, whenever events are written:
 * projector.notify(store.writtenHead);
 * await projector.waitFor(minPosition, 2000); // X-Min-Position reads
 */
export class Projector {
  private readonly routes: ProjectionRoutes;
  private readonly tables: TableNames;
  private readonly checkpointName: string;
  private readonly batchEventsMax: number;
  private readonly pollIntervalMs: number;
  private readonly waiters: PositionWaiters;
  private checkpoint = 0;
  /** The checkpoint as stored; `checkpoint` may be ahead of it by batches that changed no row. */
  private stored = 0;
  /** The checkpoint in memory may be wrong (not loaded yet, or a batch failed): reload it first. */
  private stale = true;
  private queue: Promise<unknown> = Promise.resolve();
  private readAhead: ReadAhead | undefined;
  private readonly batches: BatchLoop;

  constructor(
    private readonly db: Kysely<ReadModelDatabase>,
    readonly set: ProjectionSet,
    private readonly options: ProjectorOptions = {},
  ) {
    this.batchEventsMax = options.batchEventsMax ?? PROJECTOR_BATCH_EVENTS_DEFAULT;
    this.pollIntervalMs = options.pollIntervalMs ?? PROJECTOR_POLL_INTERVAL_DEFAULT_MS;
    assertIntegerIn('batchEventsMax', this.batchEventsMax, 1, PROJECTOR_BATCH_EVENTS_MAX);
    assertIntegerIn('pollIntervalMs', this.pollIntervalMs, 1, PROJECTOR_POLL_INTERVAL_MAX_MS);
    assert(set.projections.length > 0, `projection set ${set.name} has no projection`);
    this.checkpointName = options.checkpointName ?? set.name;
    assertCheckpointName(this.checkpointName);
    this.routes = projectionRoutes(set.projections);
    this.tables = prefixedTables(options.tablePrefix ?? '');
    this.waiters = new PositionWaiters(options.waitersMax ?? PROJECTOR_WAITERS_DEFAULT);
    this.batches = new BatchLoop(
      `projector ${this.checkpointName}`,
      () => this.exclusive(() => this.applyNextBatch(Number.MAX_SAFE_INTEGER)),
      {
        batchEventsMax: this.batchEventsMax,
        pollIntervalMs: this.pollIntervalMs,
        onError: options.onError,
      },
    );
  }

  /** The checkpoint's name. */
  get name(): string {
    return this.checkpointName;
  }

  /** The last log position the read models have applied (0 before the first load). */
  get position(): number {
    return this.checkpoint;
  }

  /** Loads the checkpoint (creating it at 0); returns it. */
  load(): Promise<number> {
    return this.exclusive(async () => {
      await this.reload();
      return this.checkpoint;
    });
  }

  /**
   * Applies batches until the log is exhausted or `uptoPosition` is applied (never beyond it).
   *
   * @returns the checkpoint reached.
   * @throws whatever failed a batch (the failed batch is rolled back; the ones before stay).
   */
  async catchUp(uptoPosition: number = Number.MAX_SAFE_INTEGER): Promise<number> {
    assertIntegerIn('uptoPosition', uptoPosition, 0, Number.MAX_SAFE_INTEGER);
    while ((await this.exclusive(() => this.applyNextBatch(uptoPosition))) > 0);
    return this.checkpoint;
  }

  /**
   * Applies the log until `stop()`: a batch whenever `notify` reports new events, else every
   * `pollIntervalMs`. A failed batch is reported to `onError` and retried after a backoff.
   * Resolves when stopped.
   */
  run(): Promise<void> {
    return this.batches.run();
  }

  /** Tells the run loop the log has events up to `position` (call after each write of event rows). */
  notify(position: number): void {
    if (position <= this.checkpoint) return;
    this.batches.notify();
  }

  /** Stops the run loop after its current batch; waiting reads are rejected with ProjectorStoppedError. */
  async stop(): Promise<void> {
    await this.batches.stop();
    await this.readAhead?.planned; // leave no query running (it cannot fail: its errors are caught)
    this.readAhead = undefined;
    this.waiters.rejectAll(new ProjectorStoppedError(this.checkpointName));
  }

  /**
   * Resolves once the read models have applied `position` (at once if they have).
   *
   * @throws ProjectionTimeoutError after `timeoutMs`; ProjectionWaitersFullError when too many wait.
   */
  waitFor(position: number, timeoutMs: number): Promise<void> {
    // No notify here: a position this node has not written yet needs no read, and reads asking
    // for it must not spin the loop; the write path notifies, the poll catches what it misses.
    return this.waiters.wait(position, timeoutMs, () => this.checkpoint);
  }

  /**
   * Runs `fn` between batches (none starts until it ends), then reloads the checkpoint: how a
   * rebuild swaps in its tables and hands over their checkpoint under a live projector.
   */
  whilePaused<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      try {
        return await fn();
      } finally {
        this.stale = true;
        await this.reload();
      }
    });
  }

  /**
   * Joins the write path's transaction (`EventStore.joinWith`): when `events` follow the
   * checkpoint at once, they are folded here and `write` gets the batch's rows and checkpoint to
   * write in the transaction that stores the events, so the log and the read models commit
   * together (one commit where there were two). Otherwise (the projector is behind, catching up,
   * or the events change no row and the checkpoint need not be stored yet) `write` gets nothing
   * to join and the run loop reads the events as usual. Between batches, like every batch.
   */
  joinWrite<T, DB extends ReadModelDatabase>(events: readonly EventLogRow[], write: (joined: ((trx: Transaction<DB>) => Promise<void>) | undefined) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      let batch: PlannedProjectionBatch | undefined;
      try {
        await this.reload();
        if (events.length > 0 && Number(events[0].position) === this.checkpoint + 1) batch = planProjectionBatch(events, this.checkpoint, this.routes);
      } catch {
        batch = undefined; // the run loop meets the same failure and reports it
      }
      if (batch === undefined || batch.events !== events.length) return write(undefined);
      // The caller's database holds the read models' tables (like readModelDb's view of it).
      return this.commitBatch(this.checkpoint, batch, (rows) => write(rows as ((trx: Transaction<DB>) => Promise<void>) | undefined));
    });
  }

  /**
   * One batch: read, fold, write rows and checkpoint in one transaction. Returns the events it
   * covered. While a full batch writes, the next one is read and folded (it is a function of the
   * immutable log after a position, so it is used only if the checkpoint is then at that position).
   */
  private async applyNextBatch(upto: number): Promise<number> {
    await this.reload();
    const from = this.checkpoint;
    const limit = Math.min(this.batchEventsMax, upto - from);
    if (limit <= 0) return 0;
    const planned = (await this.takeReadAhead(from, limit)) ?? (await this.readAndPlan(from, limit));
    if (planned === null) return 0;
    const { batch } = planned;
    const nextLimit = Math.min(this.batchEventsMax, upto - batch.last);
    if (planned.full && nextLimit > 0) {
      const next = this.readAndPlan(batch.last, nextLimit).catch(() => null); // a failed read-ahead is read again
      this.readAhead = { after: batch.last, limit: nextLimit, planned: next };
    }
    await this.commitBatch(from, batch, async (rows) => {
      if (rows !== undefined) await this.db.transaction().execute(rows);
    });
    return batch.events;
  }

  /**
   * Commits a folded batch through `write`, which runs the batch's rows and checkpoint (undefined
   * when the batch changes no row and the checkpoint may stay in memory) in some transaction, then
   * moves the checkpoint. A failed write leaves the checkpoint to be reloaded.
   */
  private async commitBatch<T>(from: number, batch: PlannedProjectionBatch, write: (rows: ((trx: Transaction<ReadModelDatabase>) => Promise<void>) | undefined) => Promise<T>): Promise<T> {
    const rowless = batch.changes.size === 0 && batch.last - this.stored < PROJECTOR_UNWRITTEN_EVENTS_MAX;
    let result: T;
    try {
      result = await write(rowless ? undefined : (trx) => this.writeBatch(trx, this.stored, batch));
    } catch (error) {
      this.stale = true;
      this.readAhead = undefined;
      throw error;
    }
    if (!rowless) this.stored = batch.last;
    this.checkpoint = batch.last;
    this.waiters.advance(this.checkpoint);
    this.options.onBatch?.({ from, to: batch.last, events: batch.events, rows: batch.changes.size });
    return result;
  }

  /** Reads up to `limit` events after `after` and folds them; null when there are none. */
  private async readAndPlan(after: number, limit: number): Promise<PlannedRead | null> {
    const rows = await readEventRows(this.db, after, limit, this.options.tail);
    if (rows.length === 0) return null;
    return { batch: planProjectionBatch(rows, after, this.routes), full: rows.length === limit };
  }

  /** The batch read ahead for exactly this position and limit, if there is one and it succeeded. */
  private async takeReadAhead(after: number, limit: number): Promise<PlannedRead | undefined> {
    const ahead = this.readAhead;
    this.readAhead = undefined;
    if (ahead === undefined || ahead.after !== after || ahead.limit !== limit) return undefined;
    return (await ahead.planned) ?? undefined;
  }

  private async writeBatch(
    trx: Transaction<ReadModelDatabase>,
    from: number,
    batch: PlannedProjectionBatch,
  ): Promise<void> {
    await advanceCheckpoint(trx, this.checkpointName, from, batch.last);
    for (const group of batch.changes.groups()) {
      await writeUpsertGroup(trx, group, this.tables);
      await this.options.hooks?.afterUpsert?.(trx, group.table);
    }
  }

  private async reload(): Promise<void> {
    if (!this.stale) return;
    this.checkpoint = await loadCheckpoint(this.db, this.checkpointName);
    this.stored = this.checkpoint;
    this.stale = false;
    this.waiters.advance(this.checkpoint);
  }

  /** Runs `fn` after everything queued before it, whether that failed or not. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  assert(
    Number.isSafeInteger(value) && value >= min && value <= max,
    `${name} must be an integer in ${min}..${max}, got ${value}`,
  );
}
