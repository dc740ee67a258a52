import { sql, type Kysely, type Transaction } from 'kysely';
import { BALLOT_ZERO, type Ballot } from '../../consensus/ballot';
import type { PersistentState, Ready } from '../../consensus/ready';
import { valueKey, type ChosenEntry } from '../../consensus/value';
import { assert } from '../../shared/assert';
import {
  acceptedFromRow,
  acceptedToRow,
  assertSameChosen,
  assertSlot,
  assertStorableBallot,
  chosenFromRow,
  chosenToRow,
  contiguousFrom,
  distinctChosen,
  lastAcceptPerSlot,
} from './acceptor-rows';
import { chunkByBytes } from './byte-chunks';
import { advanceChosenWatermark } from './chosen-watermark';
import type { Database, PaxosAcceptedTable, PaxosChosenTable } from './database';
import { executePrepared } from './prepared-statements';
import { readSafeInteger } from './safe-integer';
import { decodeSlotValue } from './slot-value-json';

/** Statements to commit in the same transaction as a persist, e.g. the events of chosen slots. */
export type PersistExtra = (trx: Transaction<Database>) => Promise<void>;

/** Chosen entries one readChosen returns at most, whatever the caller asks for. */
export const READ_CHOSEN_SLOTS_MAX = 10_000;

/**
 * Value bytes one multi-row INSERT carries at most. Escaping can double JSON text on the wire,
 * and this keeps that under MariaDB's default max_allowed_packet (16 MiB) on either protocol.
 */
export const INSERT_VALUE_BYTES_MAX = 4 * 1024 * 1024;

const PROMISE_ROW_ID = 1;

/**
 * An acceptor's durable state in its node's MySQL database: the promise, the accepts and the
 * chosen log. Every write is one transaction, committed (and, with
 * innodb_flush_log_at_trx_commit=1, flushed) before persist resolves.
 *
 * @example
 * const state = await storage.load();            // at start, to build the replica
 * await storage.persist(ready);                  // before sending ready.messages
 */
export class MysqlAcceptorStorage {
  constructor(
    private readonly db: Kysely<Database>,
    /** The storage's incarnation (node-identity.ts); the founding one when not given. */
    private readonly incarnation?: string,
  ) {}

  /** What a restarted replica is built from: the promise, accepts above the chosen watermark, and the watermark. */
  async load(): Promise<PersistentState> {
    return this.db.transaction().execute(async (trx) => {
      const chosenWatermark = await advanceChosenWatermark(trx);
      const promise = await trx
        .selectFrom('paxos_promise')
        .select(['round', 'node_id'])
        .where('id', '=', PROMISE_ROW_ID)
        .executeTakeFirst();
      const promised: Ballot =
        promise === undefined
          ? BALLOT_ZERO
          : { round: readSafeInteger(promise.round, 'paxos_promise.round'), nodeId: promise.node_id };
      const rows = await trx
        .selectFrom('paxos_accepted')
        .selectAll()
        .where('slot', '>', chosenWatermark)
        .orderBy('slot')
        .execute();
      // Membership changes are rare: the chosen log is scanned for them by the value's prefix.
      const changes = await trx
        .selectFrom('paxos_chosen')
        .select(['slot', 'value'])
        .where('slot', '<=', chosenWatermark)
        .where('value', 'like', '{"kind":"config"%')
        .orderBy('slot')
        .execute();
      const configChanges = changes.map((row) => {
        const value = decodeSlotValue(row.value, `paxos_chosen slot ${row.slot}`);
        assert(value.kind === 'config', `paxos_chosen slot ${row.slot}: a membership change expected`);
        return { slot: readSafeInteger(row.slot, 'paxos_chosen.slot'), change: value.change };
      });
      return { promised, accepted: rows.map(acceptedFromRow), chosenWatermark, configChanges, ...(this.incarnation ? { incarnation: this.incarnation } : {}) };
    });
  }

  /**
   * Stores a Ready's promise, accepts and chosen entries, then runs `extra`, all in one
   * transaction: all of it is durable when this resolves, or none of it is. Resolve before
   * sending the Ready's messages. A later accept of a slot replaces an earlier one; storing a
   * chosen entry again with the same value does nothing. One statement per table normally.
   * Call one at a time, in Ready order: two persists in flight could commit out of order.
   *
   * @throws AssertionError (after rolling back) when a slot would be chosen with a second, different value.
   * @throws mysql2's error (after rolling back) when the server fails; nothing of the Ready is stored.
   */
  async persist(ready: Ready, extra?: PersistExtra): Promise<void> {
    const accepted = lastAcceptPerSlot(ready.accepted).map(acceptedToRow);
    const chosen = distinctChosen(ready.chosen);
    if (ready.promised !== undefined) assertStorableBallot(ready.promised);
    if (ready.promised === undefined && accepted.length === 0 && chosen.length === 0 && extra === undefined) return;
    const acceptedChunks = chunkByBytes(accepted, valueBytes, INSERT_VALUE_BYTES_MAX);
    if (extra === undefined && chosen.length === 0) {
      // One statement commits atomically and durably on its own (autocommit): this saves the
      // BEGIN and COMMIT round trips on the hot path of every accept.
      if (ready.promised === undefined && acceptedChunks.length === 1) return void (await upsertAccepted(this.db, acceptedChunks[0]));
      if (ready.promised !== undefined && accepted.length === 0) return writePromised(this.db, ready.promised);
    }
    await this.db.transaction().execute(async (trx) => {
      if (ready.promised !== undefined) await writePromised(trx, ready.promised);
      for (const rows of acceptedChunks) await upsertAccepted(trx, rows);
      await insertChosen(trx, chosen);
      if (extra !== undefined) await extra(trx);
    });
  }

  /**
   * Chosen entries contiguous from `fromSlot`: at most `maxSlots` (and READ_CHOSEN_SLOTS_MAX),
   * stopping before the first slot not stored. Empty when `fromSlot` itself is not stored.
   */
  async readChosen(fromSlot: number, maxSlots: number): Promise<ChosenEntry[]> {
    assertSlot(fromSlot);
    assert(Number.isSafeInteger(maxSlots) && maxSlots >= 1, `maxSlots must be a positive integer, got ${maxSlots}`);
    const count = Math.min(maxSlots, READ_CHOSEN_SLOTS_MAX);
    const rows = await this.db
      .selectFrom('paxos_chosen')
      .select(['slot', 'value'])
      .where('slot', '>=', fromSlot)
      .where('slot', '<', fromSlot + count)
      .orderBy('slot')
      .execute();
    return contiguousFrom(fromSlot, rows.map(chosenFromRow));
  }

  /**
   * Deletes accepts of slots up to `uptoSlot`, which must be chosen already (the caller passes
   * its applied slot). Read committed, so it takes no gap locks that would stall a persist.
   *
   * @returns how many rows it deleted.
   * @throws AssertionError when `uptoSlot` is above the chosen watermark: an acceptor must not
   * forget an accept of a slot that may not be chosen yet.
   */
  async pruneAccepted(uptoSlot: number): Promise<number> {
    assert(Number.isSafeInteger(uptoSlot) && uptoSlot >= 0, `uptoSlot must be a safe integer >= 0, got ${uptoSlot}`);
    return this.db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        const watermark = await advanceChosenWatermark(trx);
        assert(uptoSlot <= watermark, `pruneAccepted(${uptoSlot}) is above the chosen watermark ${watermark}`);
        const result = await trx.deleteFrom('paxos_accepted').where('slot', '<=', uptoSlot).executeTakeFirst();
        return Number(result.numDeletedRows);
      });
  }
}

async function writePromised(trx: Kysely<Database>, promised: Ballot): Promise<void> {
  await trx
    .insertInto('paxos_promise')
    .values({ id: PROMISE_ROW_ID, round: promised.round, node_id: promised.nodeId })
    .onDuplicateKeyUpdate({ round: promised.round, node_id: promised.nodeId })
    .execute();
}

async function upsertAccepted(trx: Kysely<Database>, rows: PaxosAcceptedTable[]): Promise<void> {
  const upsert = trx
    .insertInto('paxos_accepted')
    .values(rows)
    .onDuplicateKeyUpdate({
      ballot_round: sql<number>`VALUES(ballot_round)`,
      ballot_node: sql<string>`VALUES(ballot_node)`,
      value: sql<string>`VALUES(value)`,
    });
  await executePrepared(trx, upsert);
}

/**
 * Inserts chosen rows with a plain INSERT: one statement when all are new, the usual case.
 * Slot values go through prepared statements (see executePrepared) because they are large JSON.
 * A duplicate key rolls back only that statement (InnoDB), and the checked path takes over.
 */
async function insertChosen(trx: Transaction<Database>, entries: readonly ChosenEntry[]): Promise<void> {
  const rows = entries.map(chosenToRow);
  for (const chunk of chunkByBytes(rows, valueBytes, INSERT_VALUE_BYTES_MAX)) {
    try {
      await executePrepared(trx, trx.insertInto('paxos_chosen').values(chunk));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await insertChosenChecked(trx, chunk);
    }
  }
}

/** Some rows are chosen already: they must hold the same values; insert only the rest. */
async function insertChosenChecked(trx: Transaction<Database>, rows: readonly PaxosChosenTable[]): Promise<void> {
  const stored = await trx
    .selectFrom('paxos_chosen')
    .select(['slot', 'value'])
    .where(
      'slot',
      'in',
      rows.map((r) => r.slot),
    )
    .forUpdate()
    .execute();
  const storedBySlot = new Map(stored.map((r) => [readSafeInteger(r.slot, 'paxos_chosen.slot'), r.value]));
  const missing = rows.filter((row) => {
    const value = storedBySlot.get(row.slot);
    if (value === undefined) return true;
    if (value !== row.value) assertSameChosen(row.slot, storedKey(row.slot, value), storedKey(row.slot, row.value));
    return false;
  });
  if (missing.length > 0) await executePrepared(trx, trx.insertInto('paxos_chosen').values(missing));
}

function storedKey(slot: number, text: string): string {
  return valueKey(decodeSlotValue(text, `paxos_chosen slot ${slot}`));
}

function valueBytes(row: { value: string }): number {
  return Buffer.byteLength(row.value, 'utf8');
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ER_DUP_ENTRY';
}
