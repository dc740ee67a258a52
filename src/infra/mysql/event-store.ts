import { type Kysely, type Transaction, sql } from 'kysely';
import { type ChosenEntry, type ClientValue, slotValueJson } from '../../consensus';
import { MysqlAcceptorStorage } from './acceptor-storage';
import { BloomFilter } from '../../shared/bloom-filter';
import { LruCache } from '../../application/lru-cache';
import { AssertionError, assert } from '../../shared/assert';
import type { CommandOutcome } from '../../application/command-log';
import { type EventRow, parseCommandRecord, planCommand, outcomeWithEvents } from './command-record';
import type { Database } from './database';
import { executePrepared } from './prepared-statements';
import { decodeSlotValue } from './slot-value-json';

/** Outcomes announced as soon as they are final, in slot order. */
export type OutcomeListener = (outcomes: readonly CommandOutcome[]) => void;
/** Told after each committed batch: the log head readers can see, and the batch's event rows. */
export type WrittenListener = (head: number, events: readonly EventRow[]) => void;

/** Writes another part of the node adds to the transaction that stores a batch's rows. */
export type JoinedWrite = (trx: Transaction<Database>) => Promise<void>;

/**
 * A reader of the log that may add its own writes to the transaction storing the events it is
 * about to read (the read models' projector): `write` stores the events, with the joined writes
 * when given any, and the partner learns whether that transaction committed.
 */
export interface WritePartner {
  joinWrite<T>(events: readonly EventRow[], write: (joined: JoinedWrite | undefined) => Promise<T>): Promise<T>;
}

/** A batch of chosen entries whose outcomes are final and whose rows are yet to be written. */
export interface PlannedBatch {
  readonly entries: readonly ChosenEntry[];
  readonly events: readonly EventRow[];
  readonly outcomes: readonly CommandOutcome[];
  /** The last event position of the batch (the head once it is written). */
  readonly head: number;
}

/** Command ids whose outcome is kept in memory; older ones are read from the database (storedOutcomes). */
const RECENT_OUTCOMES_MAX = 100_000;
/** 2^27 bits (16 MiB): about 1% false positives at 10 million command ids. */
const SEEN_FILTER_BITS = 1 << 27;
const SEEN_FILTER_HASHES = 7;
const LOAD_IDS_BATCH = 50_000;
/**
 * Stream versions kept in memory at most (besides those of planned, unwritten events and of the
 * counted stream types): the rest are read from `event_log` when a command names them.
 */
export const STREAM_VERSIONS_MAX = 200_000;
/** Stream types whose streams are counted (`streamCount`) and whose versions always stay in memory: the bench's raw log. */
const COUNTED_STREAM_TYPES: readonly string[] = ['log'];
/** Streams whose versions one query reads at most. */
const VERSION_LOOKUP_IDS_MAX = 500;
/**
 * Bytes of row JSON one stored-procedure call carries at most: well under MariaDB's default
 * max_allowed_packet (16 MiB), since a quote-heavy value grows with every escape.
 */
const STORE_CALL_BYTES_MAX = 4 * 1024 * 1024;

/**
 * The node's event log and idempotency records. Chosen slots are planned in slot order, in
 * memory: every command id is applied once for ever (a repeat gets the first outcome), events
 * get gap-free global positions, stream versions are checked the same way on every node. The
 * outcome is final once planned (the slot is durable at a quorum and the plan is a function of
 * the log), so callers are answered then; the rows are written right after, in batches.
 */
export class EventStore {
  private nextPosition = 1;
  private committedHead = 0;
  /** `streamType/streamId` -> its version and the position of its last event, for the streams in memory. */
  private readonly streamVersions = new LruCache<string, { version: number; position: number }>(
    STREAM_VERSIONS_MAX,
    (key, v) => v.position <= this.committedHead && !COUNTED_STREAM_TYPES.includes(key.slice(0, key.indexOf('/'))),
  );
  /** Distinct streams per stream type, planned included. */
  private readonly streamCounts = new Map<string, number>();
  private readonly recent = new Map<string, CommandOutcome>();
  /** Outcomes planned but not yet written: never evicted, so a retry in between is still known. */
  private readonly unwritten = new Map<string, CommandOutcome>();
  private readonly seen = new BloomFilter(SEEN_FILTER_BITS, SEEN_FILTER_HASHES);
  /** Every id applied before `load` is in `seen` (filled in the background). */
  private idsComplete = false;
  private idsLoading: Promise<void> | null = null;
  private stopping = false;
  /** Told when the background fill of the filter fails; the store stays correct without it. */
  onIdsLoadError: (error: unknown) => void = () => undefined;
  private readonly listeners: OutcomeListener[] = [];
  private readonly plannedListeners: ((batch: PlannedBatch) => void)[] = [];
  private readonly reloadListeners: (() => Promise<void>)[] = [];
  private readonly writtenListeners: WrittenListener[] = [];
  private partner: WritePartner | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly storage: MysqlAcceptorStorage = new MysqlAcceptorStorage(db),
  ) {}

  /**
   * Loads the log head and stream versions (call once at start), and starts filling the filter of
   * applied command ids in the background: a long log's ids take seconds to read, and the node
   * serves meanwhile, looking every id up in `applied_commands` until the filter is full
   * (`idsLoaded`). A failed fill leaves it so (correct, one lookup more per planned batch) and
   * is reported to `onIdsLoadError`. `idsFrom` is the pool the fill reads on: a node passes its
   * background pool, so the fill never queues on the consensus path's.
   */
  async load(idsFrom: Kysely<Database> = this.db): Promise<void> {
    await this.reload();
    this.idsLoading ??= this.loadIds(idsFrom).catch((error: unknown) => this.onIdsLoadError(error));
  }

  /** Whether every command id applied before `load` is in the filter (until then, every id is looked up). */
  get idsLoaded(): boolean {
    return this.idsComplete;
  }

  /** Resolves once the background fill of the filter ended (filled, failed or stopped). */
  async idsSettled(): Promise<void> {
    await this.idsLoading;
  }

  /** Stops the background fill of the filter (before the pool closes). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idsLoading;
  }

  /** Fills the filter: the ids of commands that wrote events (the event log's command key), then of those that did not. */
  private async loadIds(db: Kysely<Database>): Promise<void> {
    const withEvents = (after: string) =>
      db.selectFrom('event_log').select('command_id').where('command_id', '>', after).where('command_index', '=', 0).orderBy('command_id').limit(LOAD_IDS_BATCH).execute();
    const withoutEvents = (after: string) =>
      db.selectFrom('applied_commands').select('command_id').where('command_id', '>', after).orderBy('command_id').limit(LOAD_IDS_BATCH).execute();
    for (const read of [withEvents, withoutEvents]) {
      let after = '';
      for (;;) {
        if (this.stopping) return;
        const rows = await read(after);
        for (const row of rows) this.seen.add(row.command_id);
        if (rows.length < LOAD_IDS_BATCH) break;
        after = rows[rows.length - 1].command_id;
      }
    }
    this.idsComplete = true;
  }

  /**
   * Forgets what was planned but not written and reloads the head and stream versions from the
   * database. Replanning the same log then gives the same outcomes. After a failed write.
   */
  async reload(): Promise<void> {
    this.recent.clear();
    this.unwritten.clear();
    const head = await this.db.selectFrom('event_log').select((eb) => eb.fn.max('position').as('head')).executeTakeFirst();
    this.committedHead = Number(head?.head ?? 0);
    this.nextPosition = this.committedHead + 1;
    this.streamVersions.clear();
    this.streamCounts.clear();
    // Only the counted stream types are read whole; any other stream's version is read when a command names it.
    const streams = await this.db
      .selectFrom('event_log')
      .select(['stream_type', 'stream_id', (eb) => eb.fn.max('stream_version').as('version'), (eb) => eb.fn.max('position').as('position')])
      .where('stream_type', 'in', [...COUNTED_STREAM_TYPES])
      .groupBy(['stream_type', 'stream_id'])
      .execute();
    for (const s of streams) this.setStreamVersion(s.stream_type, s.stream_id, Number(s.version), Number(s.position));
    for (const listener of this.reloadListeners) await listener();
  }

  /** The position of the last event whose outcome is final (0 when none). */
  get head(): number {
    return this.nextPosition - 1;
  }

  /** The position of the last event written to `event_log`: what readers of the table see. */
  get writtenHead(): number {
    return this.committedHead;
  }

  /**
   * The version of a stream after every planned event (0 when it has none), as far as memory
   * knows: exact for the counted stream types and for streams planned lately.
   */
  streamVersion(streamType: string, streamId: string): number {
    return this.streamVersions.peek(`${streamType}/${streamId}`)?.version ?? 0;
  }

  /** How many distinct streams of `streamType` the log holds, planned events included. */
  streamCount(streamType: string): number {
    return this.streamCounts.get(streamType) ?? 0;
  }

  private setStreamVersion(streamType: string, streamId: string, version: number, position: number): void {
    const key = `${streamType}/${streamId}`;
    if (COUNTED_STREAM_TYPES.includes(streamType) && !this.streamVersions.has(key)) this.streamCounts.set(streamType, this.streamCount(streamType) + 1);
    this.streamVersions.set(key, { version, position });
  }

  /** Reads into memory the versions of the streams `commands` name that memory does not hold (every such stream's events are written). */
  private async loadStreamVersions(commands: readonly { value: ClientValue }[]): Promise<void> {
    const missing = new Map<string, Set<string>>();
    for (const command of commands) {
      const record = parseCommandRecord(command.value.payload);
      if (!record) continue;
      const keys = [...Object.keys(record.expected ?? {}), ...record.events.map((e) => `${e.streamType}/${e.streamId}`)];
      for (const key of keys) {
        if (this.streamVersions.has(key)) continue;
        const slash = key.indexOf('/');
        if (slash < 0) continue;
        const type = key.slice(0, slash);
        if (COUNTED_STREAM_TYPES.includes(type)) continue;
        missing.set(type, (missing.get(type) ?? new Set()).add(key.slice(slash + 1)));
      }
    }
    for (const [type, idSet] of missing) {
      const ids = [...idSet];
      for (let i = 0; i < ids.length; i += VERSION_LOOKUP_IDS_MAX) {
        const chunk = ids.slice(i, i + VERSION_LOOKUP_IDS_MAX);
        const rows = await this.db
          .selectFrom('event_log')
          .select(['stream_id', (eb) => eb.fn.max('stream_version').as('version'), (eb) => eb.fn.max('position').as('position')])
          .where('stream_type', '=', type)
          .where('stream_id', 'in', chunk)
          .groupBy('stream_id')
          .execute();
        const found = new Map(rows.map((r) => [r.stream_id, { version: Number(r.version), position: Number(r.position) }]));
        for (const id of chunk) this.streamVersions.set(`${type}/${id}`, found.get(id) ?? { version: 0, position: 0 });
      }
    }
  }

  /** Subscribes to every planned batch, before its outcomes are announced: state derived from events sees them first. */
  onPlanned(listener: (batch: PlannedBatch) => void): void {
    this.plannedListeners.push(listener);
  }

  /** Subscribes to reloads: state derived from planned events must be rebuilt from what is written. */
  onReload(listener: () => Promise<void>): void {
    this.reloadListeners.push(listener);
  }

  /** Subscribes to written batches: what readers of `event_log` can see now ends at `head`; `events` are the batch's rows, just committed. */
  onWritten(listener: WrittenListener): void {
    this.writtenListeners.push(listener);
  }

  /** Subscribes to final outcomes. */
  onOutcomes(listener: OutcomeListener): void {
    this.listeners.push(listener);
  }

  /** The first outcome of a command id if it is among the recent ones kept in memory. */
  recentOutcome(commandId: string): CommandOutcome | undefined {
    return this.unwritten.get(commandId) ?? this.recent.get(commandId);
  }

  /**
   * The first outcome of a command id, if it was ever applied here. An API read passes the read
   * pool as `reads`, so that status lookups never queue in the consensus path's pool.
   */
  async outcome(commandId: string, reads: Kysely<Database> = this.db): Promise<CommandOutcome | undefined> {
    const cached = this.recentOutcome(commandId);
    if (cached) return cached;
    return (await storedOutcomes(reads, [commandId])).get(commandId);
  }

  /**
   * Decides, in slot order, what each command of the chosen entries does, and announces the
   * outcomes. Call with consecutive entries, one call at a time. Only ids the filter may have
   * seen are looked up in the database.
   */
  async plan(entries: readonly ChosenEntry[]): Promise<PlannedBatch> {
    const commands = entries.flatMap((e) => (e.value.kind === 'batch' ? e.value.values.map((v) => ({ slot: e.slot, value: v })) : []));
    const known = await this.knownOutcomes(commands.map((c) => c.value.id));
    await this.loadStreamVersions(commands);
    const events: EventRow[] = [];
    const outcomes: CommandOutcome[] = [];
    for (const command of commands) {
      const outcome = this.planOne(command, known, events);
      outcomes.push(outcome);
    }
    for (const o of outcomes) if (!o.duplicate) this.unwritten.set(o.commandId, o);
    const batch: PlannedBatch = { entries, events, outcomes, head: this.nextPosition - 1 };
    for (const listener of this.plannedListeners) listener(batch);
    if (outcomes.length > 0) for (const listener of this.listeners) listener(outcomes);
    return batch;
  }

  /**
   * Lets `partner` join the transactions that store events (one partner): its rows and
   * checkpoint then commit with the log, one commit for both.
   */
  joinWith(partner: WritePartner): void {
    this.partner = partner;
  }

  /**
   * Stores planned batches (their chosen entries, idempotency records and events) in one
   * transaction and one round trip, or, when the partner joins with writes of its own, in one
   * transaction with those. Should a chosen slot already be stored (a replay after a failure), it
   * takes the statement-per-table path, which compares the stored value. A joined transaction
   * that fails is tried once more without the partner's writes (the partner then reads the
   * events from the log itself), so a partner's failure never fails the log's write.
   */
  async store(batches: readonly PlannedBatch[]): Promise<void> {
    const rows = storeRows(batches);
    if (rows.bytes > STORE_CALL_BYTES_MAX && batches.length > 1) {
      // One transaction either way: the split halves commit in slot order, each atomically, and a
      // failure in the second rebuilds from storage (which holds the first) like any failure.
      const half = Math.ceil(batches.length / 2);
      await this.store(batches.slice(0, half));
      return this.store(batches.slice(half));
    }
    const partner = this.partner;
    if (partner === undefined) return this.storeRows(batches, rows, undefined);
    let joinedFailure: unknown;
    try {
      return await partner.joinWrite(
        batches.flatMap((b) => b.events),
        (joined) => this.storeRows(batches, rows, joined),
      );
    } catch (error) {
      if (!(error instanceof JoinedWriteError)) throw error;
      joinedFailure = error.cause;
    }
    this.onJoinedWriteError(joinedFailure);
    return this.storeRows(batches, rows, undefined);
  }

  /** Told when a transaction joined by the partner failed (the rows are then stored without it). */
  onJoinedWriteError: (error: unknown) => void = () => undefined;

  /** One transaction: the procedure that stores the rows, after the partner's writes when there are any. */
  private async storeRows(batches: readonly PlannedBatch[], rows: StoreRows, joined: JoinedWrite | undefined): Promise<void> {
    if (rows.bytes > STORE_CALL_BYTES_MAX) return this.storeByStatements(batches, joined);
    const args = [`[${rows.chosen.join(',')}]`, `[${rows.outcomes.join(',')}]`, `[${rows.events.join(',')}]`];
    try {
      if (joined === undefined) {
        const call = sql`CALL behavior_write_chosen(${args[0]}, ${args[1]}, ${args[2]})`;
        await executePrepared(this.db, { compile: () => call.compile(this.db) });
        return;
      }
      await this.db.transaction().execute(async (trx) => {
        await joinedStep(() => joined(trx));
        const call = sql`CALL behavior_store_chosen(${args[0]}, ${args[1]}, ${args[2]})`;
        await executePrepared(trx, { compile: () => call.compile(trx) });
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await this.storeByStatements(batches, joined);
    }
  }

  /** The statement-per-table path: chunked multi-row INSERTs, and a check of chosen slots already stored. */
  private async storeByStatements(batches: readonly PlannedBatch[], joined: JoinedWrite | undefined): Promise<void> {
    const entries = batches.flatMap((b) => b.entries);
    await this.storage.persist({ accepted: [], chosen: entries, messages: [], sendFirst: [] }, async (trx) => {
      if (joined !== undefined) await joinedStep(() => joined(trx));
      for (const batch of batches) await this.write(trx, batch);
    });
  }

  /** Writes a planned batch's rows inside the transaction that stores its chosen entries. */
  async write(trx: Transaction<Database>, batch: PlannedBatch): Promise<void> {
    const fresh = batch.outcomes.filter(storedAsOutcome);
    if (fresh.length > 0) {
      const rows = fresh.map((o) => ({ command_id: o.commandId, slot: o.slot, outcome: JSON.stringify(o) }));
      await executePrepared(trx, trx.insertInto('applied_commands').values(rows));
    }
    if (batch.events.length > 0) await executePrepared(trx, trx.insertInto('event_log').values([...batch.events]));
  }

  /** Records that a planned batch's transaction committed. */
  written(batch: PlannedBatch): void {
    this.committedHead = Math.max(this.committedHead, batch.head);
    this.streamVersions.trim();
    for (const listener of this.writtenListeners) listener(this.committedHead, batch.events);
    for (const o of batch.outcomes) {
      if (o.duplicate) continue;
      this.unwritten.delete(o.commandId);
      this.remember(o);
    }
  }

  private planOne(command: { slot: number; value: ClientValue }, known: Map<string, CommandOutcome>, events: EventRow[]): CommandOutcome {
    const first = known.get(command.value.id);
    if (first) return { ...first, duplicate: true };
    const version = (key: string) => this.streamVersions.peek(key)?.version ?? 0;
    const planned = planCommand(command.slot, command.value.id, parseCommandRecord(command.value.payload), this.nextPosition, version);
    for (const row of planned.rows) this.setStreamVersion(row.stream_type, row.stream_id, row.stream_version, row.position);
    this.nextPosition += planned.rows.length;
    events.push(...planned.rows);
    known.set(command.value.id, planned.outcome);
    this.seen.add(command.value.id);
    return planned.outcome;
  }

  /** First outcomes of the ids that were applied before: from memory, else (maybe seen, or the filter not full yet) from the database. */
  private async knownOutcomes(ids: string[]): Promise<Map<string, CommandOutcome>> {
    const known = new Map<string, CommandOutcome>();
    const lookup: string[] = [];
    for (const id of ids) {
      const cached = this.recentOutcome(id);
      if (cached) known.set(id, cached);
      else if (!this.idsComplete || this.seen.mightContain(id)) lookup.push(id);
    }
    if (lookup.length === 0) return known;
    for (const [id, outcome] of await storedOutcomes(this.db, lookup)) known.set(id, outcome);
    return known;
  }

  private remember(outcome: CommandOutcome): void {
    this.recent.set(outcome.commandId, outcome);
    if (this.recent.size > RECENT_OUTCOMES_MAX) this.recent.delete(this.recent.keys().next().value as string);
  }
}

/** The rows of batches as the store procedures take them (JSON array items), and their size. */
interface StoreRows {
  readonly chosen: readonly string[];
  readonly outcomes: readonly string[];
  readonly events: readonly string[];
  readonly bytes: number;
}

function storeRows(batches: readonly PlannedBatch[]): StoreRows {
  const chosen = batches.flatMap((b) => b.entries.map((e) => JSON.stringify([e.slot, slotValueJson(e.value)])));
  const outcomes = batches.flatMap((b) => b.outcomes.filter(storedAsOutcome).map((o) => JSON.stringify([o.commandId, o.slot, JSON.stringify(o)])));
  const events = batches.flatMap((b) => b.events.map((e) => JSON.stringify(eventTuple(e))));
  const bytes = [chosen, outcomes, events].reduce((sum, rows) => sum + rows.reduce((n, r) => n + Buffer.byteLength(r), 0), 0);
  return { chosen, outcomes, events, bytes };
}

/** A joined write failed: the transaction is rolled back, and the store tries again without it. */
class JoinedWriteError extends Error {
  constructor(cause: unknown) {
    super(`a joined write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Runs a partner's writes, marking their failure as the partner's (the log's own rows are not at fault). */
async function joinedStep(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    throw new JoinedWriteError(error);
  }
}

function eventTuple(e: EventRow): unknown[] {
  return [e.position, e.slot, e.command_id, e.stream_type, e.stream_id, e.stream_version, e.type, e.schema_version, e.data, e.metadata, e.command_index];
}

/**
 * Whether an outcome gets an `applied_commands` row: a first outcome that wrote no event. One
 * that wrote events is recorded by them (the event log's unique command key, migration 0017).
 */
function storedAsOutcome(o: CommandOutcome): boolean {
  return !o.duplicate && o.firstPosition === undefined;
}

/** Command ids one lookup names at most. */
const OUTCOME_LOOKUP_IDS_MAX = 1000;

/**
 * The first outcomes of the ids that were applied, from the database: `applied_commands` holds
 * those without events; the others are rebuilt from the command's events (slot and positions) and
 * its record in the chosen value of its slot, exactly as planning made them.
 */
export async function storedOutcomes(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, CommandOutcome>> {
  const known = new Map<string, CommandOutcome>();
  for (let i = 0; i < ids.length; i += OUTCOME_LOOKUP_IDS_MAX) {
    const chunk = ids.slice(i, i + OUTCOME_LOOKUP_IDS_MAX);
    const rows = await db.selectFrom('applied_commands').select(['command_id', 'outcome']).where('command_id', 'in', chunk).execute();
    for (const row of rows) known.set(row.command_id, JSON.parse(row.outcome) as CommandOutcome);
    const rest = chunk.filter((id) => !known.has(id));
    if (rest.length === 0) continue;
    const spans = await db
      .selectFrom('event_log')
      .select((eb) => ['command_id', eb.fn.min('slot').as('slot'), eb.fn.min('position').as('first'), eb.fn.max('position').as('last')])
      .where('command_id', 'in', rest)
      .groupBy('command_id')
      .execute();
    if (spans.length === 0) continue;
    const slots = [...new Set(spans.map((span) => Number(span.slot)))];
    const values = await db.selectFrom('paxos_chosen').select(['slot', 'value']).where('slot', 'in', slots).execute();
    const bySlot = new Map(values.map((v) => [Number(v.slot), v.value]));
    for (const span of spans) {
      const slot = Number(span.slot);
      const text = bySlot.get(slot);
      assert(text !== undefined, `event_log holds events of command ${span.command_id} in slot ${slot}, which the chosen log does not hold`);
      const value = decodeSlotValue(text, `chosen slot ${slot}`);
      const command = value.kind === 'batch' ? value.values.find((v) => v.id === span.command_id) : undefined;
      const record = command === undefined ? null : parseCommandRecord(command.payload);
      assert(record !== null, `event_log holds events of command ${span.command_id} in slot ${slot}, whose chosen value holds no record of it`);
      known.set(span.command_id, outcomeWithEvents(span.command_id, slot, record, Number(span.first), Number(span.last)));
    }
  }
  return known;
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ER_DUP_ENTRY';
}
