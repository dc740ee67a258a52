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
import { CHOSEN_WATERMARK_META, readChosenWatermark } from './chosen-watermark';
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
 * An acceptor's durable state in its node's MySQL database: the promise and the log, one row per
 * slot in `paxos_accepted` (the accepts, and at or below the chosen watermark the chosen values:
 * migration 0016). Every write is one transaction, committed (and, with
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
      const chosenWatermark = await readChosenWatermark(trx);
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
        // A row of ballot zero holds a chosen value written without an accept (a snapshot's
        // install stopped part way): no accept to report; catch-up brings the slot again.
        .where('ballot_round', '>', 0)
        .orderBy('slot')
        .execute();
      // Membership changes are rare: the chosen log is scanned for them by the value's prefix (an index).
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
   * sending the Ready's messages. A later accept of a slot replaces an earlier one. A chosen
   * entry overwrites its slot's value and raises the watermark; storing one again with the same
   * value does nothing.
   * Call one at a time, in Ready order: two persists in flight could commit out of order.
   *
   * @throws AssertionError (after rolling back) when a slot would be chosen with a second,
   *   different value, or when the chosen entries do not run on from the watermark.
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
      await storeChosen(trx, chosen);
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
 * Stores chosen entries into the log: those at or below the watermark (a replay) must hold the
 * same values already; the rest must run on from it without a gap. They overwrite their slots'
 * values (an accept keeps its ballot; a slot learned without one gets ballot zero) and the
 * watermark moves to the last of them.
 */
async function storeChosen(trx: Transaction<Database>, entries: readonly ChosenEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const watermarkRow = await trx.selectFrom('paxos_meta').select('value').where('name', '=', CHOSEN_WATERMARK_META).forUpdate().executeTakeFirst();
  const watermark = watermarkRow === undefined ? 0 : readSafeInteger(watermarkRow.value, 'paxos_meta.chosen_watermark');
  const rows = entries.map(chosenToRow);
  const replayed = rows.filter((r) => r.slot <= watermark);
  if (replayed.length > 0) await checkStoredChosen(trx, replayed);
  const fresh = rows.filter((r) => r.slot > watermark);
  if (fresh.length === 0) return;
  fresh.forEach((row, i) =>
    assert(row.slot === watermark + 1 + i, `chosen slot ${row.slot} stored after slot ${i === 0 ? watermark : fresh[i - 1].slot}: the chosen log would have a gap`),
  );
  for (const chunk of chunkByBytes(fresh, valueBytes, INSERT_VALUE_BYTES_MAX)) {
    const upsert = trx
      .insertInto('paxos_accepted')
      .values(chunk.map((r) => ({ slot: r.slot, ballot_round: 0, ballot_node: '', value: r.value })))
      .onDuplicateKeyUpdate({ value: sql<string>`VALUES(value)` });
    await executePrepared(trx, upsert);
  }
  const last = fresh[fresh.length - 1].slot;
  await trx.insertInto('paxos_meta').values({ name: CHOSEN_WATERMARK_META, value: last }).onDuplicateKeyUpdate({ value: last }).execute();
}

/** Slots stored as chosen already: each must hold the same value. */
async function checkStoredChosen(trx: Transaction<Database>, rows: readonly PaxosChosenTable[]): Promise<void> {
  const stored = await trx
    .selectFrom('paxos_accepted')
    .select(['slot', 'value'])
    .where(
      'slot',
      'in',
      rows.map((r) => r.slot),
    )
    .execute();
  const storedBySlot = new Map(stored.map((r) => [readSafeInteger(r.slot, 'paxos_accepted.slot'), r.value]));
  for (const row of rows) {
    const value = storedBySlot.get(row.slot);
    assert(value !== undefined, `chosen slot ${row.slot} is at or below the watermark but has no row`);
    if (value !== row.value) assertSameChosen(row.slot, storedKey(row.slot, value), storedKey(row.slot, row.value));
  }
}

function storedKey(slot: number, text: string): string {
  return valueKey(decodeSlotValue(text, `chosen slot ${slot}`));
}

function valueBytes(row: { value: string }): number {
  return Buffer.byteLength(row.value, 'utf8');
}
