import {
  type ApplicationState,
  type DomainEvent,
  type ReasonEvent,
  type ReasonState,
  type StudentState,
  type UserState,
  evolveApplication,
  evolveReason,
  evolveStudent,
  evolveUser,
  initialApplicationState,
  initialReasonState,
  initialStudentState,
  initialUserState,
  upcastEvent,
} from '../domain';
import { type ArchiveEvent, type SagaEvent, type SagaState, evolveSaga, evolveSagaArchive, initialSagaState, isOpen } from '../sagas';
import { LruCache } from './lru-cache';

/**
 * What decisions read of the aggregates: the store (every planned slot), or the leader's view of
 * it with what it proposed and has not applied yet on top (ProposedStates).
 */
export interface AggregateReads {
  student(id: string): StudentState;
  application(id: string): ApplicationState;
  user(username: string): UserState;
  saga(id: string): SagaState;
  reason(code: string): ReasonState;
  /** The state of aggregate `id` of kind `kindName`. */
  get(kindName: string, id: string): { readonly version: number };
  /** Every saga that has not ended, in start order. */
  openSagas(): SagaState[];
  /** Active students of `className` (every class when null), sorted by id. */
  activeStudentIds(className: string | null): string[];
}

/** The typed reads of AggregateReads, each through `get`. */
export abstract class TypedAggregateReads implements AggregateReads {
  abstract get(kindName: string, id: string): { readonly version: number };
  abstract openSagas(): SagaState[];
  abstract activeStudentIds(className: string | null): string[];

  student(id: string): StudentState {
    return this.get('student', id) as StudentState;
  }

  application(id: string): ApplicationState {
    return this.get('application', id) as ApplicationState;
  }

  user(username: string): UserState {
    return this.get('user', username) as UserState;
  }

  saga(id: string): SagaState {
    return this.get('saga', id) as SagaState;
  }

  reason(code: string): ReasonState {
    return this.get('reason', code) as ReasonState;
  }
}

/** One event of the log as the aggregate store folds it. */
export interface LoggedEvent {
  readonly position: number;
  readonly stream_type: string;
  readonly stream_id: string;
  readonly stream_version: number;
  readonly type: string;
  /** The schema version the event was written in (an upcaster's input). */
  readonly schema_version?: number;
  readonly data: string;
}

/**
 * A batch of chosen slots whose events are decided and not yet written (the event store's
 * planned batch): what moves the states forward before the log rows are committed.
 */
export interface PlannedEvents {
  /** The batch's chosen slots, in slot order. */
  readonly entries: readonly { readonly slot: number }[];
  /** The batch's events, in position order. */
  readonly events: readonly LoggedEvent[];
  /** The last event position of the batch (the head once it is written). */
  readonly head: number;
}

/** The newest snapshot of one aggregate: its state (JSON) after the event at `position`. */
export interface AggregateSnapshot {
  readonly kind: string;
  readonly id: string;
  readonly position: number;
  /** True when nodes load it on demand instead of keeping it in memory. */
  readonly cold: boolean;
  readonly state: string;
}

/** What the aggregate store reads and writes (implemented over MySQL in infra/mysql). */
export interface AggregateSource {
  /** Events of `streamTypes` after `after`, in position order, at most `limit`. */
  eventsAfter(after: number, streamTypes: readonly string[], limit: number): Promise<LoggedEvent[]>;
  /** Every event of the streams `streamTypes` × `ids` after position `after` up to `upTo`, in position order. */
  streamEvents(streamTypes: readonly string[], ids: readonly string[], after: number, upTo: number): Promise<LoggedEvent[]>;
  /** The position every stored snapshot is current at (0: none). */
  checkpoint(): Promise<number>;
  /** Snapshots not marked cold, in (kind, id) order, after `after`, at most `limit`. */
  hotSnapshots(after: { kind: string; id: string } | null, limit: number): Promise<AggregateSnapshot[]>;
  /** The snapshots of `ids` of `kind` that exist. */
  snapshots(kind: string, ids: readonly string[]): Promise<AggregateSnapshot[]>;
  /** Upserts `snapshots` and moves the checkpoint to `position`, in one transaction. */
  saveCheckpoint(snapshots: readonly AggregateSnapshot[], position: number): Promise<void>;
  /** The highest chosen slot stored (0: none). */
  chosenHead(): Promise<number>;
}

/**
 * One kind of aggregate: the stream types it folds (the first one starts it), how, and when it is
 * cold (not kept in memory). Adding a kind of aggregate is adding one of these to AGGREGATE_KINDS.
 */
export interface AggregateKind<S extends { readonly version: number } = { readonly version: number }> {
  readonly name: string;
  readonly streamTypes: readonly string[];
  readonly initial: S;
  /** The aggregate an event row belongs to (its stream id, unless a stream names another aggregate). */
  idOf(row: Pick<LoggedEvent, 'stream_type' | 'stream_id'>): string;
  evolve(state: S, event: DomainEvent): S;
  /** True when the aggregate is closed and may leave memory (loaded on demand); absent: never cold. */
  isCold?(state: S): boolean;
}

const studentKind: AggregateKind<StudentState> = {
  name: 'student',
  streamTypes: ['student'],
  initial: initialStudentState,
  idOf: (row) => row.stream_id,
  evolve: (s, e) => evolveStudent(s, e as Parameters<typeof evolveStudent>[1]),
  isCold: (s) => s.archived,
};
const applicationKind: AggregateKind<ApplicationState> = {
  name: 'application',
  streamTypes: ['application'],
  initial: initialApplicationState,
  idOf: (row) => row.stream_id,
  evolve: (s, e) => evolveApplication(s, e as Parameters<typeof evolveApplication>[1]),
  isCold: (s) => s.status === 'approved' || s.status === 'rejected',
};
const userKind: AggregateKind<UserState> = {
  name: 'user',
  streamTypes: ['user'],
  initial: initialUserState,
  idOf: (row) => row.stream_id,
  evolve: (s, e) => evolveUser(s, e as Parameters<typeof evolveUser>[1]),
};
/** A saga folds its own stream and its archive's (the archive stream's id is the saga id). */
const sagaKind: AggregateKind<SagaState> = {
  name: 'saga',
  streamTypes: ['saga', 'archive'],
  initial: initialSagaState,
  idOf: (row) => row.stream_id,
  evolve: (s, e) => (e.streamType === 'archive' ? evolveSagaArchive(s, e as ArchiveEvent) : evolveSaga(s, e as SagaEvent)),
  isCold: (s) => s.exists && (s.status === 'completed' || s.status === 'compensated'),
};

/** The school's reason catalogue: small, never cold. */
const reasonKind: AggregateKind<ReasonState> = {
  name: 'reason',
  streamTypes: ['reason'],
  initial: initialReasonState,
  idOf: (row) => row.stream_id,
  evolve: (s, e) => evolveReason(s, e as ReasonEvent),
};

/** Every kind of aggregate decisions read. */
export const AGGREGATE_KINDS: readonly AggregateKind[] = [studentKind, applicationKind, userKind, sagaKind, reasonKind] as AggregateKind[];

/** How snapshots and the cache of cold aggregates are sized. */
export interface AggregateStoreOptions {
  /** Take a checkpoint of every aggregate changed since the last one after this many events (0: no snapshots). */
  readonly snapshotEveryEvents: number;
  /** Cold aggregates kept in memory at most (Infinity: all of them, as without snapshots). */
  readonly coldCacheMax: number;
  /** Also take a checkpoint when this long passed since the last one and something changed (0 or absent: only by events). */
  readonly snapshotIntervalMs?: number;
  /** The clock of `snapshotIntervalMs` (tests pass their own). */
  readonly now?: () => number;
  /** How long a load on demand waits for the log rows it needs to be written. */
  readonly loadWaitMs?: number;
  /** Events read per query while loading (default 5000). */
  readonly loadBatch?: number;
  /** While loading, checkpoints are taken at most every this many events (default 1,000,000), and at the end. */
  readonly loadCheckpointEvery?: number;
}

/** Defaults of AGGREGATE_SNAPSHOT_EVERY_EVENTS, AGGREGATE_CACHE_MAX and AGGREGATE_SNAPSHOT_INTERVAL_MS. */
export const DEFAULT_AGGREGATE_STORE_OPTIONS: AggregateStoreOptions = { snapshotEveryEvents: 100_000, coldCacheMax: 50_000, snapshotIntervalMs: 300_000 };

/**
 * Thrown when a decision reads a cold aggregate that was not loaded first (a missing `prefetch`,
 * a bug). The API answers it 503 with Retry-After (and logs it), never 500.
 */
export class AggregateNotLoadedError extends Error {
  constructor(key: string) {
    super(`aggregate ${key} is not in memory: prefetch it before deciding`);
    this.name = 'AggregateNotLoadedError';
  }
}

/**
 * A `prefetch` met a reload of every aggregate (`load`, after a failed write: the node is
 * recovering): what it loaded is gone and the states are being folded again, so nothing can be
 * decided on them now. Answer 503 with Retry-After.
 */
export class AggregatesReloadingError extends Error {
  constructor() {
    super('this node is reloading its aggregates from storage (recovering from a failed write); retry shortly');
    this.name = 'AggregatesReloadingError';
  }
}

const LOAD_BATCH = 5000;
const SNAPSHOT_LOAD_BATCH = 5000;
/** Snapshots written per statement at a checkpoint. */
export const SNAPSHOT_WRITE_BATCH = 1000;
const LOAD_IDS_MAX = 500;

interface Entry {
  readonly state: { readonly version: number };
  /** The log position of the aggregate's last event folded in (0: none). */
  readonly position: number;
  /** True when the newest checkpoint taken holds this aggregate as hot (so it must be rewritten when it turns cold). */
  snapshotHot: boolean;
}

/** A cold aggregate whose stream is at least this long gets a snapshot (a load on demand then reads few rows). */
const COLD_SNAPSHOT_MIN_VERSION = 32;
/** While loading, checkpoints are taken at most this often (and at the end): fewer rewrites of hot aggregates. */
const LOAD_CHECKPOINT_EVERY = 1_000_000;
/** ...or when this many aggregates wait for one. */
const LOAD_CHECKPOINT_DIRTY_MAX = 100_000;

interface Loading {
  /** Rows planned for the aggregate while it loads, folded after what the log gave. */
  readonly buffer: LoggedEvent[];
  readonly done: Promise<void>;
}

/**
 * Every aggregate as decisions see them: the fold of its streams, moved forward by each planned
 * batch in slot order. Hot aggregates (open applications, active students, users, running sagas)
 * stay in memory; cold ones (closed applications, archived students, finished sagas) are kept in
 * a bounded LRU cache and loaded on demand (`prefetch`) from their snapshot and later events.
 * Every `snapshotEveryEvents` events the states changed since the last checkpoint are written
 * with the checkpoint's position, once the log rows up to it are written; a start loads the hot
 * snapshots and folds only the events after the checkpoint.
 *
 * The leader decides against these states (after prefetching the aggregates a command names);
 * the expected stream versions of each proposal catch anything stale, on every node alike.
 */
export class AggregateStore extends TypedAggregateReads {
  private readonly kinds = new Map<string, AggregateKind>();
  private readonly kindOfStream = new Map<string, AggregateKind>();
  private readonly hot = new Map<string, Map<string, Entry>>();
  private readonly cold: LruCache<string, Entry>;
  /** Aggregates changed since the last captured checkpoint: written at the next one. */
  private readonly dirty = new Map<string, Entry>();
  private readonly loading = new Map<string, Loading>();
  private readonly pins = new Map<string, number>();
  /** Sagas not yet ended (running or compensating, waiting for an operator or not). */
  private readonly openSagaIds = new Set<string>();
  private plannedSlotValue = 0;
  private plannedPosition = 0;
  private writtenPosition = 0;
  private checkpointPosition = 0;
  private checkpointAt = 0;
  private generation = 0;
  /** True while `load` runs: the states are being folded again. */
  private reloading = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly captured: { position: number; snapshots: AggregateSnapshot[]; generation: number }[] = [];
  private readonly writtenWaiters: { position: number; wake: () => void }[] = [];
  /** Events folded since the last `load` (for tests and the bench). */
  folded = 0;
  /** Times the log was folded from a checkpoint (`load`) since this store was made. */
  loads = 0;
  /** Aggregates loaded on demand since the last `load`. */
  loadedOnDemand = 0;
  /** Called when a checkpoint could not be written (it is taken again at the next one). */
  onCheckpointError: (error: unknown) => void = () => undefined;

  constructor(
    private readonly source: AggregateSource,
    private readonly options: AggregateStoreOptions = DEFAULT_AGGREGATE_STORE_OPTIONS,
    kinds: readonly AggregateKind[] = AGGREGATE_KINDS,
  ) {
    super();
    for (const kind of kinds) {
      this.kinds.set(kind.name, kind);
      this.hot.set(kind.name, new Map());
      for (const t of kind.streamTypes) this.kindOfStream.set(t, kind);
    }
    this.cold = new LruCache(options.coldCacheMax, (key, entry) => entry.position <= this.writtenPosition && !this.pins.has(key) && !this.dirty.has(key));
  }

  /** True when every aggregate is in memory (no snapshots and an unbounded cache): nothing needs loading. */
  private get allInMemory(): boolean {
    return this.options.snapshotEveryEvents <= 0 && this.options.coldCacheMax === Infinity;
  }

  /** Loads the hot snapshots and folds every event after their checkpoint. At start, and after a reload. */
  async load(): Promise<void> {
    this.reloading = true;
    try {
      await this.loadAll();
    } finally {
      this.reloading = false;
    }
  }

  private async loadAll(): Promise<void> {
    this.generation += 1;
    this.loads += 1;
    // A checkpoint being written would change the snapshots under the reads below.
    await this.writing;
    for (const map of this.hot.values()) map.clear();
    this.cold.clear();
    this.dirty.clear();
    this.loading.clear();
    this.openSagaIds.clear();
    this.captured.length = 0;
    this.folded = 0;
    this.loadedOnDemand = 0;
    let after = 0;
    if (this.options.snapshotEveryEvents > 0) {
      after = await this.source.checkpoint();
      let page: { kind: string; id: string } | null = null;
      for (;;) {
        const rows = await this.source.hotSnapshots(page, SNAPSHOT_LOAD_BATCH);
        for (const s of rows) {
          const kind = this.kinds.get(s.kind);
          if (kind) this.place(kind, s.id, { state: snapshotState(kind, s.state), position: s.position, snapshotHot: true });
        }
        if (rows.length < SNAPSHOT_LOAD_BATCH) break;
        page = { kind: rows[rows.length - 1].kind, id: rows[rows.length - 1].id };
      }
    }
    this.checkpointPosition = after;
    this.checkpointAt = this.clock();
    this.plannedPosition = after;
    this.writtenPosition = after;
    const streamTypes = [...this.kindOfStream.keys()];
    for (;;) {
      const batchSize = this.options.loadBatch ?? LOAD_BATCH;
      const rows = await this.source.eventsAfter(after, streamTypes, batchSize);
      if (rows.length === 0) break;
      const last = rows[rows.length - 1].position;
      // The log holds every row read: a load on demand may read up to here.
      this.writtenPosition = Math.max(this.writtenPosition, last);
      for (const row of rows) this.applyRow(row);
      this.plannedPosition = Math.max(this.plannedPosition, last);
      await Promise.all([...this.loading.values()].map((l) => l.done));
      const due = this.plannedPosition - this.checkpointPosition >= Math.max(this.options.snapshotEveryEvents, this.options.loadCheckpointEvery ?? LOAD_CHECKPOINT_EVERY) || this.dirty.size >= LOAD_CHECKPOINT_DIRTY_MAX;
      if (this.options.snapshotEveryEvents > 0 && due) this.capture();
      if (rows.length < batchSize) break;
      after = last;
    }
    if (this.dirty.size > 0) this.capture();
    this.plannedSlotValue = await this.source.chosenHead();
    await this.writing;
  }

  /** Moves the states forward by a planned batch (EventStore.onPlanned). */
  onPlanned(batch: PlannedEvents): void {
    for (const row of batch.events) this.applyRow(row);
    this.plannedPosition = Math.max(this.plannedPosition, batch.head);
    const last = batch.entries[batch.entries.length - 1];
    if (last) this.plannedSlotValue = Math.max(this.plannedSlotValue, last.slot);
    this.maybeCapture();
  }

  /** The log rows up to `head` are written (EventStore.onWritten): checkpoints and loads up to it may go ahead. */
  onWritten(head: number): void {
    if (head <= this.writtenPosition) return;
    this.writtenPosition = head;
    for (let i = this.writtenWaiters.length - 1; i >= 0; i--) {
      if (this.writtenWaiters[i].position <= head) this.writtenWaiters.splice(i, 1)[0].wake();
    }
    this.flushCaptured();
    this.cold.trim();
  }

  /** The highest slot whose events the states include. */
  get plannedSlot(): number {
    return this.plannedSlotValue;
  }

  /** The position of the newest checkpoint taken (written or about to be). */
  get checkpoint(): number {
    return this.checkpointPosition;
  }

  /** Aggregates in memory: hot ones, and cold ones cached or waiting for a checkpoint. */
  get residentCount(): number {
    let n = this.cold.size;
    for (const map of this.hot.values()) n += map.size;
    for (const key of this.dirty.keys()) if (!this.cold.has(key) && !this.hotHas(key)) n += 1;
    return n;
  }

  /** Resolves once the checkpoints taken so far are written (or failed). */
  async settled(): Promise<void> {
    await this.writing;
  }

  /**
   * Loads into memory the aggregates of `streamKeys` (`streamType/streamId`) that are not there,
   * and keeps them until the returned release is called: decide between the two. A key of a
   * stream type no kind folds is ignored.
   *
   * @throws AggregatesReloadingError when every aggregate is being reloaded (before or while this loads)
   */
  async prefetch(streamKeys: readonly string[]): Promise<() => void> {
    if (this.reloading) throw new AggregatesReloadingError();
    const generation = this.generation;
    const keys = new Set<string>();
    for (const streamKey of streamKeys) {
      const slash = streamKey.indexOf('/');
      const kind = this.kindOfStream.get(streamKey.slice(0, slash));
      if (kind) keys.add(`${kind.name}/${kind.idOf({ stream_type: streamKey.slice(0, slash), stream_id: streamKey.slice(slash + 1) })}`);
    }
    for (const key of keys) this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
    const release = () => {
      for (const key of keys) {
        const n = (this.pins.get(key) ?? 1) - 1;
        if (n <= 0) this.pins.delete(key);
        else this.pins.set(key, n);
      }
      this.cold.trim();
    };
    try {
      if (!this.allInMemory) await this.ensureLoaded([...keys]);
      // A reload meanwhile dropped what was loaded (a load of the old generation places nothing).
      if (this.reloading || generation !== this.generation) throw new AggregatesReloadingError();
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /** The state of aggregate `id` of kind `kindName`; it must be in memory (hot, or prefetched). */
  get(kindName: string, id: string): { readonly version: number } {
    const entry = this.entry(kindName, id);
    if (entry) return entry.state;
    const kind = this.kinds.get(kindName);
    if (!kind) throw new Error(`no aggregate kind ${kindName}`);
    // A kind never cold has every aggregate hot: one not in memory does not exist.
    if (this.allInMemory || this.neverCold(kind)) return kind.initial;
    throw new AggregateNotLoadedError(`${kindName}/${id}`);
  }

  /** The log position of the saga's last event (0 when unknown): what a read waits for to see it. */
  sagaPosition(id: string): number {
    return this.entry('saga', id)?.position ?? 0;
  }

  /** How many sagas have not ended. */
  get openSagaCount(): number {
    return this.openSagaIds.size;
  }

  /** Every saga that has not ended, in start order. */
  openSagas(): SagaState[] {
    return [...this.openSagaIds].map((id) => this.saga(id));
  }

  /** Active (registered, not archived) students of `className`, or of every class when null, sorted by id. */
  activeStudentIds(className: string | null): string[] {
    const ids: string[] = [];
    for (const [id, { state }] of this.hot.get('student') ?? []) {
      const s = state as StudentState;
      if (s.exists && !s.archived && (className === null || s.className === className)) ids.push(id);
    }
    return ids.sort();
  }

  /** True when any user exists (the bootstrap admin is created only into an empty cluster). */
  get anyUser(): boolean {
    return (this.hot.get('user')?.size ?? 0) > 0;
  }

  private clock(): number {
    return (this.options.now ?? Date.now)();
  }

  private neverCold(kind: AggregateKind): boolean {
    return kind.isCold === undefined;
  }

  private isCold(kind: AggregateKind, state: Entry['state']): boolean {
    return kind.isCold?.(state) ?? false;
  }

  private hotHas(key: string): boolean {
    const slash = key.indexOf('/');
    return this.hot.get(key.slice(0, slash))?.has(key.slice(slash + 1)) ?? false;
  }

  private entry(kindName: string, id: string): Entry | undefined {
    const key = `${kindName}/${id}`;
    return this.hot.get(kindName)?.get(id) ?? this.cold.get(key) ?? this.dirty.get(key);
  }

  /** Puts an aggregate where its state says it belongs: the hot map, or the cold cache. */
  private place(kind: AggregateKind, id: string, entry: Entry): void {
    const key = `${kind.name}/${id}`;
    const hot = this.hot.get(kind.name)!;
    // An aggregate that does not exist (a load found nothing) is cached like a cold one.
    if (entry.state.version === 0 || this.isCold(kind, entry.state)) {
      hot.delete(id);
      this.cold.set(key, entry);
    } else {
      this.cold.delete(key);
      hot.set(id, entry);
    }
    if (kind === this.kinds.get('saga')) {
      if (isOpen(entry.state as SagaState)) this.openSagaIds.add(id);
      else this.openSagaIds.delete(id);
    }
  }

  private applyRow(row: LoggedEvent): void {
    const kind = this.kindOfStream.get(row.stream_type);
    if (!kind) return;
    const id = kind.idOf(row);
    const key = `${kind.name}/${id}`;
    const loading = this.loading.get(key);
    if (loading) return void loading.buffer.push(row);
    const current = this.entry(kind.name, id);
    const starts = row.stream_type === kind.streamTypes[0] && row.stream_version === 1;
    if (!current && !starts && !this.allInMemory && !this.neverCold(kind)) {
      // A cold aggregate not in memory: load it (this row waits in its buffer), so that its
      // snapshot follows it and it becomes hot again should it reopen.
      this.startLoad(kind, [id], row.position - 1, [row]);
      return;
    }
    this.fold(kind, id, current ?? { state: kind.initial, position: 0, snapshotHot: false }, [row]);
  }

  /** Folds `rows` into `from`; the result waits for the next checkpoint when a snapshot of it is worth writing. */
  private fold(kind: AggregateKind, id: string, from: Entry, rows: readonly LoggedEvent[]): void {
    let state = from.state;
    let position = 0;
    for (const row of rows) {
      // The one place a log row becomes a domain event.
      const event: DomainEvent = upcastEvent({ type: row.type, schemaVersion: Number(row.schema_version ?? 1), streamType: row.stream_type, streamId: row.stream_id, data: JSON.parse(row.data) });
      state = kind.evolve(state, event);
      position = Number(row.position);
      this.folded += 1;
    }
    const entry: Entry = { state, position, snapshotHot: from.snapshotHot };
    const key = `${kind.name}/${id}`;
    // A cold aggregate no checkpoint holds as hot, with a short stream, is loaded from its
    // events: no snapshot needed (most applications open and close between two checkpoints).
    if (this.options.snapshotEveryEvents > 0 && (!this.isCold(kind, state) || entry.snapshotHot || state.version >= COLD_SNAPSHOT_MIN_VERSION)) this.dirty.set(key, entry);
    else this.dirty.delete(key);
    this.place(kind, id, entry);
  }

  /** Loads every key not in memory, in batches per kind. */
  private async ensureLoaded(keys: readonly string[]): Promise<void> {
    const missing = new Map<AggregateKind, string[]>();
    const waits: Promise<void>[] = [];
    for (const key of keys) {
      const slash = key.indexOf('/');
      const kind = this.kinds.get(key.slice(0, slash))!;
      const id = key.slice(slash + 1);
      const loading = this.loading.get(key);
      if (loading) waits.push(loading.done);
      else if (!this.entry(kind.name, id) && !this.neverCold(kind)) missing.set(kind, [...(missing.get(kind) ?? []), id]);
    }
    for (const [kind, ids] of missing) {
      for (let i = 0; i < ids.length; i += LOAD_IDS_MAX) waits.push(this.startLoad(kind, ids.slice(i, i + LOAD_IDS_MAX), this.plannedPosition, []));
    }
    await Promise.all(waits);
  }

  /**
   * Loads aggregates `ids` of `kind` from their snapshots and the log after them, once the log
   * is written up to `upTo` (every event of theirs planned so far); rows planned meanwhile wait
   * in a buffer and are folded after. An aggregate with no snapshot and no event is cached as new.
   */
  private startLoad(kind: AggregateKind, ids: readonly string[], upTo: number, firstRows: readonly LoggedEvent[]): Promise<void> {
    const generation = this.generation;
    const buffers = new Map<string, LoggedEvent[]>();
    const run = async () => {
      await this.writtenUpTo(upTo);
      const snapshots = this.options.snapshotEveryEvents > 0 ? await this.source.snapshots(kind.name, ids) : [];
      const byId = new Map(snapshots.map((s) => [s.id, s]));
      const from = Math.min(...ids.map((id) => byId.get(id)?.position ?? 0));
      // Rows past `upTo` reach the buffer (they are planned, or, while loading at start, folded later).
      const rows = await this.source.streamEvents(kind.streamTypes, ids, from, upTo);
      if (generation !== this.generation) return;
      const rowsOf = new Map<string, LoggedEvent[]>();
      for (const row of rows) {
        const id = kind.idOf(row);
        if (row.position > (byId.get(id)?.position ?? 0)) rowsOf.set(id, [...(rowsOf.get(id) ?? []), row]);
      }
      for (const id of ids) {
        const snapshot = byId.get(id);
        const logged = rowsOf.get(id) ?? [];
        const seen = logged.length > 0 ? logged[logged.length - 1].position : (snapshot?.position ?? 0);
        const later = (buffers.get(id) ?? []).filter((r) => r.position > seen);
        const base: Entry = { state: snapshot ? snapshotState(kind, snapshot.state) : kind.initial, position: snapshot?.position ?? 0, snapshotHot: snapshot?.cold === false };
        this.loading.delete(`${kind.name}/${id}`);
        if (logged.length + later.length === 0) {
          this.place(kind, id, base);
          continue;
        }
        this.fold(kind, id, base, [...logged, ...later]);
        // Only the rows from the buffer are new to this node's count of folded events.
        this.folded -= logged.length;
      }
      this.loadedOnDemand += ids.length;
    };
    const done = run().finally(() => {
      for (const id of ids) if (this.loading.get(`${kind.name}/${id}`)?.buffer === buffers.get(id)) this.loading.delete(`${kind.name}/${id}`);
    });
    for (const id of ids) {
      const buffer: LoggedEvent[] = id === kind.idOf(firstRows[0] ?? { stream_type: '', stream_id: '' }) ? [...firstRows] : [];
      buffers.set(id, buffer);
      this.loading.set(`${kind.name}/${id}`, { buffer, done });
    }
    done.catch(() => undefined);
    return done;
  }

  private writtenUpTo(position: number): Promise<void> {
    if (position <= this.writtenPosition) return Promise.resolve();
    const waitMs = this.options.loadWaitMs ?? 5000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.writtenWaiters.indexOf(waiter);
        if (i >= 0) this.writtenWaiters.splice(i, 1);
        reject(new Error(`the log was not written up to position ${position} within ${waitMs} ms`));
      }, waitMs);
      const waiter = { position, wake: () => (clearTimeout(timer), resolve()) };
      this.writtenWaiters.push(waiter);
    });
  }

  /** Captures the changed states as a checkpoint once `snapshotEveryEvents` events passed the last one. */
  private maybeCapture(): void {
    const every = this.options.snapshotEveryEvents;
    const interval = this.options.snapshotIntervalMs ?? 0;
    const dueByTime = interval > 0 && this.dirty.size > 0 && this.clock() - this.checkpointAt >= interval;
    if (every <= 0 || (this.plannedPosition - this.checkpointPosition < every && !dueByTime)) return;
    // A load under way folds rows this checkpoint would miss: wait for it to end.
    if (this.loading.size > 0) return;
    this.capture();
  }

  /** Captures every state changed since the last checkpoint, as a checkpoint at the planned position. */
  private capture(): void {
    const snapshots: AggregateSnapshot[] = [];
    for (const [key, entry] of this.dirty) {
      const slash = key.indexOf('/');
      const kind = this.kinds.get(key.slice(0, slash))!;
      const cold = this.isCold(kind, entry.state);
      snapshots.push({ kind: kind.name, id: key.slice(slash + 1), position: entry.position, cold, state: JSON.stringify(entry.state) });
      entry.snapshotHot = !cold;
    }
    this.dirty.clear();
    this.checkpointPosition = this.plannedPosition;
    this.checkpointAt = this.clock();
    this.captured.push({ position: this.plannedPosition, snapshots, generation: this.generation });
    this.cold.trim();
    this.flushCaptured();
  }

  /** Writes, in order, the captured checkpoints whose log rows are all written. */
  private flushCaptured(): void {
    while (this.captured.length > 0 && this.captured[0].position <= this.writtenPosition) {
      const next = this.captured.shift()!;
      this.writing = this.writing
        .then(() => (next.generation === this.generation ? this.source.saveCheckpoint(next.snapshots, next.position) : undefined))
        .catch((error: unknown) => this.onCheckpointError(error));
    }
  }
}

/**
 * A snapshot's state over the kind's initial state: a field added to a state since the snapshot
 * was written (a user's classes) starts at its initial value instead of being absent.
 */
function snapshotState(kind: AggregateKind, text: string): Entry['state'] {
  return { ...kind.initial, ...(JSON.parse(text) as Entry['state']) };
}
