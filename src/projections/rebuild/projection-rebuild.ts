import { type Kysely, sql } from 'kysely';
import { assert } from '../../shared/assert';
import { advanceCheckpoint, loadCheckpoint } from '../checkpoint-store';
import { DEFAULT_SCHOOL_TIME_ZONE, sameTimeZone } from '../../shared/school-days';
import { readEventRows, readLogHead } from '../event-reader';
import { type Projection, type ProjectionRoutes, projectionRoutes, projectionTables, projectionsTimeZone } from '../projection';
import { planProjectionBatch } from '../projection-batch';
import type { ReadModelDatabase } from '../read-model-database';
import { type ReadModelTable, columnsOf } from '../read-model-tables';
import { READ_MODELS_CHECKPOINT, projectionNamed, readModelProjections } from '../read-models';
import { integerFromSql } from '../sql-values';
import type { BulkLoader } from '../../infra/mysql/bulk-loader';
import { type UpsertChunk, groupAsTsv, runUpsertChunk, setsEveryColumn, upsertChunks } from '../upsert-writer';
import {
  SHADOW_TABLES,
  createShadowTables,
  dropRebuildTables,
  dropReplacedTables,
  dropSecondaryIndexes,
  existingTables,
  renameShadowIntoLive,
  restoreSecondaryIndexes,
} from './shadow-tables';

/** Events per batch of a rebuild unless configured (one read, one fold, one set of parallel upserts). */
export const REBUILD_BATCH_EVENTS_DEFAULT = 50_000;
/**
 * How close to the live checkpoint the replay gets before it takes the swap lock: what is left is
 * replayed while the live projector waits, so it is kept small.
 */
export const REBUILD_SWAP_GAP_EVENTS = 2000;
/** Replay rounds chasing the live checkpoint before the swap takes the lock and replays the rest under it. */
const CHASE_ROUNDS_MAX = 100;
/** Connections writing one batch's upserts at once unless configured. */
export const REBUILD_WRITERS_DEFAULT = 4;
/** Prefix of every rebuild checkpoint (`rebuild:all`, `rebuild:students`). */
const REBUILD_CHECKPOINT_PREFIX = 'rebuild:';
/**
 * The MySQL named lock one rebuild per database holds while it runs. Named locks are server-wide, and
 * several nodes (or tests) may share one MySQL server, so the name carries the database: a digest,
 * since a lock name holds at most 64 characters.
 */
export const REBUILD_LOCK = sql<string>`CONCAT('behavior_rebuild:', SHA1(DATABASE()))`;

/** What a rebuild is doing, for progress bars and logs. */
export type RebuildPhase = 'replay' | 'swap' | 'done';

/** A progress report: `done` of `total` events (the log head), at the rate measured since the start. */
export interface RebuildProgress {
  readonly phase: RebuildPhase;
  readonly done: number;
  readonly total: number;
  readonly eventsPerSecond: number;
  /** Seconds left at the current rate (null before a rate is known). */
  readonly etaSeconds: number | null;
}

/** How a rebuild ran. */
export interface RebuildResult {
  /** The projections rebuilt. */
  readonly projections: readonly string[];
  /** The school time zone their days are counted in, now recorded with the live checkpoint; null when none counts days. */
  readonly timeZone: string | null;
  readonly tables: readonly ReadModelTable[];
  /** Whether it continued an interrupted rebuild, and from where. */
  readonly resumed: boolean;
  readonly resumedFrom: number;
  /** The position of the swapped-in tables, which the live checkpoint keeps. */
  readonly position: number;
  /** Events this run replayed (from `resumedFrom` to `position`). */
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** How long the live projector waited for the final catch-up and the swap. */
  readonly swapPauseMs: number;
}

/** How a rebuild runs; every field has a default. */
export interface RebuildOptions {
  /** One projection by name (e.g. `students`); all read models when absent. */
  readonly projection?: string;
  /**
   * The school time zone days are counted in (SCHOOL_TIME_ZONE, default UTC): the node's own, so
   * that the rebuilt rows are those its projector computes. Recorded with the live checkpoint at
   * the swap when a rebuilt projection counts days.
   */
  readonly timeZone?: string;
  readonly batchEvents?: number;
  readonly writers?: number;
  /**
   * Loads groups of complete rows with LOAD DATA (see openBulkLoader); without one, every row
   * goes through JSON_TABLE upserts.
   */
  readonly bulkLoader?: BulkLoader | null;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Aborted, the rebuild stops after its current batch (its work is kept for the next run). */
  readonly signal?: AbortSignal;
}

/** A batch read and folded, with its statements built: writing it is I/O only. */
interface PreparedBatch {
  readonly last: number;
  readonly loads: readonly { readonly table: string; readonly columns: readonly string[]; readonly tsv: Buffer }[];
  readonly upserts: readonly UpsertChunk[];
}

/** Another rebuild holds this database's rebuild lock. */
export class RebuildBusyError extends Error {
  override readonly name = 'RebuildBusyError';
  constructor() {
    super('another projections:rebuild is running against this database');
  }
}

/** The rebuild was interrupted; running it again resumes at `position`. */
export class RebuildInterruptedError extends Error {
  override readonly name = 'RebuildInterruptedError';
  constructor(readonly position: number) {
    super(`rebuild interrupted at position ${position}; run it again to resume`);
  }
}

/** An unknown `--projection`. */
export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(
    readonly projection: string,
    readonly known: readonly string[],
  ) {
    super(`unknown projection ${JSON.stringify(projection)}; known: ${known.join(', ')}`);
  }
}

/** The projections a rebuild selects: one by name, or every read model; days in `timeZone` (default UTC). */
export function selectProjections(name?: string, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): readonly Projection[] {
  const all = readModelProjections(timeZone);
  if (name === undefined) return all;
  const projection = projectionNamed(name, timeZone);
  if (projection === undefined) throw new UnknownProjectionError(name, all.map((p) => p.name));
  return [projection];
}

/**
 * Rebuilds read models without downtime, in the node's own database:
 *
 * 1. Replays the log from position 0 into shadow tables (`rebuild_<table>`, created `LIKE` the live
 *    ones), in large batches folded in memory and upserted over several connections, with a
 *    checkpoint of its own (`rebuild:<projection|all>`) after each batch. It never goes beyond
 *    the live checkpoint, so the shadow trails the live tables.
 * 2. When it is within REBUILD_SWAP_GAP_EVENTS of the live checkpoint, it locks the live checkpoint's row
 *    (`SELECT ... FOR UPDATE`: the live projector's next batch waits on it, reads go on), replays
 *    the last events up to exactly that position, deletes its own checkpoint, and swaps the
 *    shadow tables in with one `RENAME TABLE`. The live checkpoint is right for the new tables as
 *    it stands, and the live projector continues from it into them when the lock is released.
 *
 * Days are counted in `options.timeZone` (SCHOOL_TIME_ZONE, as the node has it): a rebuild that
 * rebuilds `student_daily_scores` records that zone with the live checkpoint at the swap, which is
 * how a node whose zone changed gets rows in its new zone (it warns at start until then); an
 * interrupted rebuild resumes only with the zone it started with.
 *
 * Replaying a batch twice is harmless (a row change sets columns to values, so re-applying
 * events after a checkpoint over rows that already have them yields the same rows); that is what
 * lets a batch be written by several connections before its checkpoint moves, and an
 * interrupted rebuild resume from its checkpoint. A crash after the checkpoint's delete leaves
 * tables without a checkpoint, which the next run drops and starts over.
 *
 * @example
 * const result = await new ProjectionRebuild(readModelDb(db), { onProgress: (p) => bar.update(p.done) }).run();
 */
export class ProjectionRebuild {
  private readonly projections: readonly Projection[];
  /** The zone the rebuilt projections count days in; undefined when none does. */
  private readonly timeZone: string | undefined;
  private readonly routes: ProjectionRoutes;
  private readonly tables: readonly ReadModelTable[];
  private readonly checkpointName: string;
  private readonly batchEvents: number;
  private readonly writers: number;
  private readonly started = performance.now();
  private replayed = 0;

  constructor(
    private readonly db: Kysely<ReadModelDatabase>,
    private readonly options: RebuildOptions = {},
  ) {
    this.projections = selectProjections(options.projection, options.timeZone);
    this.timeZone = projectionsTimeZone(this.projections);
    this.routes = projectionRoutes(this.projections);
    this.tables = projectionTables(this.projections);
    this.checkpointName = `${REBUILD_CHECKPOINT_PREFIX}${options.projection ?? 'all'}`;
    this.batchEvents = options.batchEvents ?? REBUILD_BATCH_EVENTS_DEFAULT;
    this.writers = options.writers ?? REBUILD_WRITERS_DEFAULT;
    assert(Number.isSafeInteger(this.batchEvents) && this.batchEvents >= 1 && this.batchEvents <= 200_000, `batchEvents must be 1..200000, got ${this.batchEvents}`);
    assert(Number.isSafeInteger(this.writers) && this.writers >= 1 && this.writers <= 16, `writers must be 1..16, got ${this.writers}`);
  }

  /**
   * Runs the rebuild to its swap.
   *
   * @throws RebuildBusyError when another rebuild runs on this database; RebuildInterruptedError
   *   when the signal aborted it (run again to resume); whatever MySQL threw.
   */
  async run(): Promise<RebuildResult> {
    return this.db.connection().execute(async (lockHolder) => {
      const { rows } = await sql<{ got: number | null }>`SELECT GET_LOCK(${REBUILD_LOCK}, 0) AS got`.execute(lockHolder);
      if (Number(rows[0]?.got) !== 1) throw new RebuildBusyError();
      try {
        return await this.runLocked();
      } finally {
        await sql`SELECT RELEASE_LOCK(${REBUILD_LOCK})`.execute(lockHolder);
      }
    });
  }

  private async runLocked(): Promise<RebuildResult> {
    const { resumed, position: resumedFrom } = await this.prepare();
    let position = resumedFrom;
    // Replay while the live checkpoint is more than REBUILD_SWAP_GAP_EVENTS ahead (it moves while we run).
    for (let round = 0; round < CHASE_ROUNDS_MAX; round += 1) {
      this.throwIfAborted(position);
      const live = await loadCheckpoint(this.db, READ_MODELS_CHECKPOINT);
      if (live - position <= REBUILD_SWAP_GAP_EVENTS) break;
      position = await this.replay(position, live);
    }
    await restoreSecondaryIndexes(this.db, this.tables);
    this.report('swap', position, await readLogHead(this.db));
    const pauseStarted = performance.now();
    position = await this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ position: number | string }>`
        SELECT position FROM projection_checkpoints WHERE name = ${READ_MODELS_CHECKPOINT} FOR UPDATE`.execute(trx);
      const live = integerFromSql(rows[0].position);
      const reached = await this.replay(position, live);
      assert(reached === live, `the shadow tables reached ${reached}, not the live checkpoint ${live}`);
      // On the locking transaction (another connection would wait for its lock): the live rows'
      // days are in this zone from the swap on.
      if (this.timeZone !== undefined) await trx.updateTable('projection_checkpoints').set({ time_zone: this.timeZone }).where('name', '=', READ_MODELS_CHECKPOINT).execute();
      await this.db.deleteFrom('projection_checkpoints').where('name', '=', this.checkpointName).execute();
      await renameShadowIntoLive(this.db, this.tables);
      return reached;
    });
    const swapPauseMs = Math.round(performance.now() - pauseStarted);
    await dropReplacedTables(this.db, this.tables);
    const seconds = (performance.now() - this.started) / 1000;
    this.report('done', position, position);
    return {
      projections: this.projections.map((p) => p.name),
      timeZone: this.timeZone ?? null,
      tables: this.tables,
      resumed,
      resumedFrom,
      position,
      events: position - resumedFrom,
      seconds,
      eventsPerSecond: seconds > 0 ? Math.round((position - resumedFrom) / seconds) : 0,
      swapPauseMs,
    };
  }

  /**
   * Resumes a rebuild of the same projections, with days in the same zone, that stopped, or
   * starts one from empty shadow tables.
   */
  private async prepare(): Promise<{ resumed: boolean; position: number }> {
    await loadCheckpoint(this.db, READ_MODELS_CHECKPOINT); // the live checkpoint row exists from here on
    const mine = await this.db
      .selectFrom('projection_checkpoints')
      .select(['position', 'time_zone'])
      .where('name', '=', this.checkpointName)
      .executeTakeFirst();
    const sameDays = this.timeZone === undefined || (mine !== undefined && sameTimeZone(mine.time_zone, this.timeZone));
    if (mine !== undefined && sameDays && (await existingTables(this.db, this.tables, SHADOW_TABLES)).size === this.tables.length) {
      return { resumed: true, position: integerFromSql(mine.position) };
    }
    await this.db.deleteFrom('projection_checkpoints').where('name', 'like', `${REBUILD_CHECKPOINT_PREFIX}%`).execute();
    await dropRebuildTables(this.db);
    await createShadowTables(this.db, this.tables);
    await dropSecondaryIndexes(this.db, this.tables);
    // The checkpoint last: one that exists always has its shadow tables.
    await this.db
      .insertInto('projection_checkpoints')
      .values({ name: this.checkpointName, position: 0, time_zone: this.timeZone ?? DEFAULT_SCHOOL_TIME_ZONE })
      .execute();
    return { resumed: false, position: 0 };
  }

  /** Replays from `from` up to `upto` in batches (the next batch read while one is written); returns the position reached. */
  private async replay(from: number, upto: number): Promise<number> {
    let position = from;
    let next: Promise<PreparedBatch | null> | null = this.read(position, upto);
    while (next !== null) {
      const batch: PreparedBatch | null = await next;
      if (batch === null) break;
      next = batch.last < upto ? this.read(batch.last, upto) : null;
      try {
        await this.write(batch);
        await advanceCheckpoint(this.db, this.checkpointName, position, batch.last);
      } catch (error) {
        await next?.catch(() => undefined);
        throw error;
      }
      this.replayed += batch.last - position;
      position = batch.last;
      this.report('replay', position, Math.max(upto, await readLogHead(this.db)));
      if (this.options.signal?.aborted) {
        await next?.catch(() => undefined);
        this.throwIfAborted(position);
      }
    }
    return position;
  }

  /** Reads, folds and builds the statements of the batch after `after` (the read-ahead runs this while a batch is written). */
  private async read(after: number, upto: number): Promise<PreparedBatch | null> {
    const limit = Math.min(this.batchEvents, upto - after);
    if (limit <= 0) return null;
    const rows = await readEventRows(this.db, after, limit);
    if (rows.length === 0) return null;
    const planned = planProjectionBatch(rows, after, this.routes);
    const loads: { table: string; columns: readonly string[]; tsv: Buffer }[] = [];
    const upserts: UpsertChunk[] = [];
    for (const group of planned.changes.groups()) {
      if (this.options.bulkLoader && setsEveryColumn(group)) {
        loads.push({ table: SHADOW_TABLES(group.table), columns: columnsOf(group.table).map(([c]) => c), tsv: groupAsTsv(group) });
      } else {
        upserts.push(...upsertChunks(group, SHADOW_TABLES));
      }
    }
    return { last: planned.last, loads, upserts };
  }

  /**
   * Writes a batch: its loads on the loader's connection while its upserts run over `writers`
   * connections at once (every statement touches rows no other statement of the batch touches).
   */
  private async write(batch: PreparedBatch): Promise<void> {
    const loader = this.options.bulkLoader;
    const loads = loader ? Promise.all(batch.loads.map((l) => loader.load(l.table, l.columns, l.tsv))) : Promise.resolve([]);
    let next = 0;
    const worker = async () => {
      while (next < batch.upserts.length) {
        const chunk = batch.upserts[next];
        next += 1;
        await runUpsertChunk(this.db, chunk);
      }
    };
    const upserts = Promise.all(Array.from({ length: Math.min(this.writers, batch.upserts.length) }, worker));
    const settled = await Promise.allSettled([loads, upserts]); // no statement left running on a failure
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  }

  private throwIfAborted(position: number): void {
    if (this.options.signal?.aborted) throw new RebuildInterruptedError(position);
  }

  private report(phase: RebuildPhase, done: number, total: number): void {
    if (this.options.onProgress === undefined) return;
    const seconds = (performance.now() - this.started) / 1000;
    const eventsPerSecond = seconds > 0 ? Math.round(this.replayed / seconds) : 0;
    const etaSeconds = eventsPerSecond > 0 ? Math.max(0, Math.round((total - done) / eventsPerSecond)) : null;
    this.options.onProgress({ phase, done, total, eventsPerSecond, etaSeconds });
  }
}
