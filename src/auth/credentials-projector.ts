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
  type RevokedToken,
  planCredentialsBatch,
} from './credentials-projection';

/** Events read per batch unless configured. */
export const CREDENTIALS_BATCH_EVENTS_DEFAULT = 1000;
/** Events per batch at most. */
export const CREDENTIALS_BATCH_EVENTS_MAX = 50_000;
/** How often `run()` looks at the log when no notify came, unless configured: a safety net, as every written batch notifies. */
export const CREDENTIALS_POLL_INTERVAL_DEFAULT_MS = 5000;
/**
 * How long a revoked token is kept past its expiry: a token expired by this node's clock is
 * refused anyway, and the margin covers a clock stepped back, or a snapshot taken on a node whose
 * clock ran ahead.
 */
export const REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS = 10 * 60_000;
/** How often `run()` deletes the revoked tokens past REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS. */
export const REVOKED_TOKENS_PRUNE_INTERVAL_MS = 60_000;
/** Rows one prune deletes at most (the next prune goes on). */
const REVOKED_TOKENS_PRUNE_ROWS_MAX = 10_000;

/** How the credentials projector runs; every field has a default. */
export interface CredentialsProjectorOptions {
  readonly batchEventsMax?: number;
  readonly pollIntervalMs?: number;
  /** The node's newest committed events in memory: batches it holds are not read back from MySQL. */
  readonly tail?: LogTail;
  /** Told of every failed batch of `run()` (the loop retries with backoff). */
  readonly onError?: (error: unknown) => void;
  /** The clock revoked tokens expire by, in epoch milliseconds (default Date.now). */
  readonly now?: () => number;
}

/**
 * Applies the log's user events to `user_credentials` and the logouts to `revoked_tokens`, under
 * its own checkpoint `credentials`. Each batch writes its rows and moves the checkpoint in one
 * transaction (the checkpoint first, so its row lock serializes writers): a crash neither skips
 * nor repeats an event. Revoked tokens are kept until they expire (and a margin), in memory and in
 * the table; `run()` prunes the expired ones. It reuses the read-model projector's checkpoint
 * store and log reader; it is a projector of its own because that one's table registry is closed
 * and the secret must stay out of the public read models.
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
  /** The unexpired revoked tokens as committed to `revoked_tokens`: token id -> expiry (epoch ms). */
  private revoked = new Map<string, number>();
  private readonly pollIntervalMs: number;
  private readonly now: () => number;
  /** When `run()` last pruned the revoked tokens (epoch ms; 0: not yet). */
  private prunedAt = 0;
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
    this.now = options.now ?? Date.now;
    assertIntegerIn('batchEventsMax', this.batchEventsMax, 1, CREDENTIALS_BATCH_EVENTS_MAX);
    assertIntegerIn('pollIntervalMs', this.pollIntervalMs, 1, 60_000);
    this.batches = new BatchLoop(
      'the credentials projector',
      () =>
        this.exclusive(async () => {
          await this.pruneWhenDue();
          return this.applyNextBatch(Number.MAX_SAFE_INTEGER);
        }),
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

  /**
   * True when the token `tokenId` names was logged out (a UserSessionEnded this node applied) and
   * has not expired. Before the first batch or after a failed one, waits for the reload from MySQL.
   */
  async isRevoked(tokenId: string): Promise<boolean> {
    if (this.stale) await this.exclusive(() => this.reload());
    const expiresAt = this.revoked.get(tokenId);
    return expiresAt !== undefined && expiresAt + REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS > this.now();
  }

  /** How many revoked tokens this node holds in memory (a gauge; expired ones until the next prune). */
  get revokedTokens(): number {
    return this.revoked.size;
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
    if (batch.changes.size > 0 || batch.revoked.size > 0 || batch.last - this.stored >= PROJECTOR_UNWRITTEN_EVENTS_MAX) {
      // A logout replayed long after its token expired (a rebuild, a node catching up) is not kept.
      const keep = [...batch.revoked.values()].filter((token) => this.unexpired(token.expiresAt));
      try {
        await this.db.transaction().execute((trx) => writeBatch(trx, this.stored, batch, keep));
      } catch (error) {
        this.stale = true;
        throw error;
      }
      this.stored = batch.last;
      this.remember(batch);
      for (const token of keep) this.revoked.set(token.tokenId, token.expiresAt);
    }
    this.checkpoint = batch.last;
    return batch.events;
  }

  /** Loads the checkpoint and every user's credentials when they may differ from MySQL's (at start, after a failed batch). */
  private async reload(): Promise<void> {
    if (!this.stale) return;
    const checkpoint = await loadCheckpoint(readModelDb(this.db), CREDENTIALS_PROJECTION);
    this.users = await new CredentialsRepository(this.db).all();
    this.revoked = await this.loadRevoked();
    this.checkpoint = checkpoint;
    this.stored = checkpoint;
    this.stale = false;
  }

  /** The revoked tokens of `revoked_tokens` that have not expired (with the margin). */
  private async loadRevoked(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('revoked_tokens')
      .select(['token_id', 'expires_at'])
      .where('expires_at', '>', this.now() - REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS)
      .execute();
    return new Map(rows.map((row) => [row.token_id, Number(row.expires_at)]));
  }

  /** True while a token expiring at `expiresAt` (epoch ms) is kept. */
  private unexpired(expiresAt: number): boolean {
    return expiresAt + REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS > this.now();
  }

  /**
   * Deletes the revoked tokens past their expiry and margin, from the table (a bounded number of
   * rows) and from memory, at most every REVOKED_TOKENS_PRUNE_INTERVAL_MS. The rows are this
   * node's own: a deleted one would only refuse a token its expiry refuses anyway.
   */
  private async pruneWhenDue(): Promise<void> {
    const now = this.now();
    if (now - this.prunedAt < REVOKED_TOKENS_PRUNE_INTERVAL_MS) return;
    this.prunedAt = now;
    const before = now - REVOKED_TOKEN_KEPT_AFTER_EXPIRY_MS;
    await this.db.deleteFrom('revoked_tokens').where('expires_at', '<=', before).limit(REVOKED_TOKENS_PRUNE_ROWS_MAX).execute();
    for (const [tokenId, expiresAt] of this.revoked) if (expiresAt <= before) this.revoked.delete(tokenId);
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

async function writeBatch(trx: Transaction<CredentialsDatabase>, from: number, batch: CredentialsBatch, revoked: readonly RevokedToken[]): Promise<void> {
  await advanceCheckpoint(readModelDb<CredentialsDatabase>(trx), CREDENTIALS_PROJECTION, from, batch.last);
  for (const [username, set] of batch.changes) await upsertCredentials(trx, username, set);
  if (revoked.length > 0) await insertRevoked(trx, revoked);
}

/** Stores revoked tokens; a token id stored before keeps its row (one logout per token is applied: its command id says so). */
async function insertRevoked(trx: Transaction<CredentialsDatabase>, revoked: readonly RevokedToken[]): Promise<void> {
  const rows = revoked.map((token) => ({ token_id: token.tokenId, username: token.username, expires_at: token.expiresAt, position: token.position }));
  await trx
    .insertInto('revoked_tokens')
    .values(rows)
    .onDuplicateKeyUpdate((eb) => ({ expires_at: eb.ref('revoked_tokens.expires_at') }))
    .execute();
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
