import { BatchLoop } from '../projections/batch-loop';
import type { Kysely, Transaction } from 'kysely';
import { advanceCheckpoint, loadCheckpoint } from '../projections/checkpoint-store';
import { readEventRows } from '../projections/event-reader';
import type { LogTail } from '../projections/log-tail';
import { PROJECTOR_UNWRITTEN_EVENTS_MAX } from '../projections/projector';
import { readModelDb } from '../projections/read-model-database';
import { assert } from '../shared/assert';
import type { CredentialsDatabase } from './credentials-database';
import { type Credentials, type CredentialsLookup, CredentialsRepository, credentialsOf } from './credentials-repository';
import {
  CREDENTIALS_DEFAULTS,
  CREDENTIALS_PROJECTION,
  type CredentialsBatch,
  type CredentialsFields,
  planCredentialsBatch,
} from './credentials-projection';

/** Events read per batch unless configured. */
export const CREDENTIALS_BATCH_EVENTS_DEFAULT = 1000;
/** Events per batch at most. */
export const CREDENTIALS_BATCH_EVENTS_MAX = 50_000;
/** How often `run()` looks at the log when no notify came, unless configured: a safety net, as every written batch notifies. */
export const CREDENTIALS_POLL_INTERVAL_DEFAULT_MS = 5000;

/** How the credentials projector runs; every field has a default. */
export interface CredentialsProjectorOptions {
  readonly batchEventsMax?: number;
  readonly pollIntervalMs?: number;
  /** The node's newest committed events in memory: batches it holds are not read back from MySQL. */
  readonly tail?: LogTail;
  /** Told of every failed batch of `run()` (the loop retries with backoff). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Applies the log's user events to `user_credentials`, under its own checkpoint `credentials`.
 * Each batch writes its rows and moves the checkpoint in one transaction (the checkpoint first, so
 * its row lock serializes writers): a crash neither skips nor repeats an event. It reuses the
 * read-model projector's checkpoint store and log reader; it is a projector of its own because
 * that one's table registry is closed and the secret must stay out of the public read models.
 *
 * @example
 * const projector = new CredentialsProjector(credentialsDb(node.db), { onError: (e) => log.warn(e) });
 * await projector.catchUp();
 * void projector.run();              // then, whenever events are written:
 * projector.notify(store.writtenHead);
 */
export class CredentialsProjector implements CredentialsLookup {
  private readonly batchEventsMax: number;
  /**
   * Every user's credentials as committed to `user_credentials`, loaded with the checkpoint and
   * updated after each committed batch: token checks and logins read them here, not by a SELECT.
   */
  private users = new Map<string, Credentials>();
  private readonly pollIntervalMs: number;
  private checkpoint = 0;
  /** The checkpoint as stored; `checkpoint` may be ahead by batches without a user event (see PROJECTOR_UNWRITTEN_EVENTS_MAX). */
  private stored = 0;
  private stale = true;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly batches: BatchLoop;

  constructor(
    private readonly db: Kysely<CredentialsDatabase>,
    private readonly options: CredentialsProjectorOptions = {},
  ) {
    this.batchEventsMax = options.batchEventsMax ?? CREDENTIALS_BATCH_EVENTS_DEFAULT;
    this.pollIntervalMs = options.pollIntervalMs ?? CREDENTIALS_POLL_INTERVAL_DEFAULT_MS;
    assertIntegerIn('batchEventsMax', this.batchEventsMax, 1, CREDENTIALS_BATCH_EVENTS_MAX);
    assertIntegerIn('pollIntervalMs', this.pollIntervalMs, 1, 60_000);
    this.batches = new BatchLoop(
      'the credentials projector',
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
    return CREDENTIALS_PROJECTION;
  }

  /** The last log position applied (0 before the first batch or load). */
  get position(): number {
    return this.checkpoint;
  }

  /**
   * Applies batches until the log is exhausted or `uptoPosition` is applied.
   *
   * @returns the checkpoint reached.
   * @throws whatever failed a batch (that batch is rolled back; the ones before stay).
   */
  async catchUp(uptoPosition: number = Number.MAX_SAFE_INTEGER): Promise<number> {
    assertIntegerIn('uptoPosition', uptoPosition, 0, Number.MAX_SAFE_INTEGER);
    while ((await this.exclusive(() => this.applyNextBatch(uptoPosition))) > 0);
    return this.checkpoint;
  }

  /** Applies the log until `stop()`: a batch on each notify, else every poll interval; failures back off. */
  run(): Promise<void> {
    return this.batches.run();
  }

  /** Tells the run loop the log has events up to `position`. */
  notify(position: number): void {
    if (position <= this.checkpoint) return;
    this.batches.notify();
  }

  /**
   * The user's credentials as this node has projected them (from memory, no query), or undefined.
   * Before the first batch or after a failed one, waits for the reload from MySQL.
   */
  async find(username: string): Promise<Credentials | undefined> {
    if (this.stale) await this.exclusive(() => this.reload());
    return this.users.get(username);
  }

  /** Stops the run loop after its current batch. */
  async stop(): Promise<void> {
    await this.batches.stop();
  }

  /** One batch: read, fold, write rows and checkpoint in one transaction; returns the events covered. */
  private async applyNextBatch(upto: number): Promise<number> {
    await this.reload();
    const from = this.checkpoint;
    const limit = Math.min(this.batchEventsMax, upto - from);
    if (limit <= 0) return 0;
    const rows = await readEventRows(readModelDb(this.db), from, limit, this.options.tail);
    if (rows.length === 0) return 0;
    const batch = planCredentialsBatch(rows, from);
    if (batch.changes.size > 0 || batch.last - this.stored >= PROJECTOR_UNWRITTEN_EVENTS_MAX) {
      try {
        await this.db.transaction().execute((trx) => writeBatch(trx, this.stored, batch));
      } catch (error) {
        this.stale = true;
        throw error;
      }
      this.stored = batch.last;
      this.remember(batch);
    }
    this.checkpoint = batch.last;
    return batch.events;
  }

  /** Loads the checkpoint and every user's credentials when they may differ from MySQL's (at start, after a failed batch). */
  private async reload(): Promise<void> {
    if (!this.stale) return;
    const checkpoint = await loadCheckpoint(readModelDb(this.db), CREDENTIALS_PROJECTION);
    this.users = await new CredentialsRepository(this.db).all();
    this.checkpoint = checkpoint;
    this.stored = checkpoint;
    this.stale = false;
  }

  /** Applies a committed batch's changes to the credentials in memory, as the upsert did to the rows. */
  private remember(batch: CredentialsBatch): void {
    for (const [username, set] of batch.changes) {
      const known = this.users.get(username);
      const before: CredentialsFields = known
        ? { password_hash: known.passwordHash, role: known.role, student_id: known.studentId, disabled: known.disabled, position: known.position }
        : CREDENTIALS_DEFAULTS;
      const credentials = credentialsOf({ username, ...before, ...set });
      if (credentials) this.users.set(username, credentials);
      else this.users.delete(username);
    }
  }

  /** Runs `fn` after everything queued before it, whether that failed or not. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

async function writeBatch(trx: Transaction<CredentialsDatabase>, from: number, batch: CredentialsBatch): Promise<void> {
  await advanceCheckpoint(readModelDb<CredentialsDatabase>(trx), CREDENTIALS_PROJECTION, from, batch.last);
  for (const [username, set] of batch.changes) await upsertCredentials(trx, username, set);
}

/** Inserts the row (defaults, then the set) or updates the columns the set holds. */
async function upsertCredentials(
  trx: Transaction<CredentialsDatabase>,
  username: string,
  set: Partial<CredentialsFields>,
): Promise<void> {
  await trx
    .insertInto('user_credentials')
    .values({ username, ...CREDENTIALS_DEFAULTS, ...set })
    .onDuplicateKeyUpdate(set)
    .execute();
}

function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  assert(
    Number.isSafeInteger(value) && value >= min && value <= max,
    `${name} must be an integer in ${min}..${max}, got ${value}`,
  );
}
