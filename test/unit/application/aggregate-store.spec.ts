import fc from 'fast-check';
import {
  type AggregateSnapshot,
  type AggregateSource,
  AggregateNotLoadedError,
  AggregateStore,
  AggregatesReloadingError,
  type AggregateStoreOptions,
  type LoggedEvent,
} from '../../../src/application/aggregate-store';
import { LruCache } from '../../../src/application/lru-cache';

/** The log and snapshot tables held in arrays: the port's contract, without MySQL (see the integration spec for MySQL). */
class MemorySource implements AggregateSource {
  readonly events: LoggedEvent[] = [];
  readonly table = new Map<string, AggregateSnapshot>();
  position = 0;
  saves = 0;
  /** Rows past this position are planned but not written yet: the reads do not see them. */
  written = Infinity;

  eventsAfter(after: number, streamTypes: readonly string[], limit: number): Promise<LoggedEvent[]> {
    return Promise.resolve(this.events.filter((e) => e.position > after && e.position <= this.written && streamTypes.includes(e.stream_type)).slice(0, limit));
  }
  streamEvents(streamTypes: readonly string[], ids: readonly string[], after: number, upTo: number): Promise<LoggedEvent[]> {
    return Promise.resolve(
      this.events.filter((e) => e.position > after && e.position <= upTo && e.position <= this.written && streamTypes.includes(e.stream_type) && ids.includes(e.stream_id)),
    );
  }
  checkpoint(): Promise<number> {
    return Promise.resolve(this.position);
  }
  hotSnapshots(after: { kind: string; id: string } | null, limit: number): Promise<AggregateSnapshot[]> {
    const key = (s: { kind: string; id: string }) => `${s.kind}\u0000${s.id}`;
    const rows = [...this.table.values()].filter((s) => !s.cold && (after === null || key(s) > key(after))).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    return Promise.resolve(rows.slice(0, limit));
  }
  snapshots(kind: string, ids: readonly string[]): Promise<AggregateSnapshot[]> {
    return Promise.resolve(ids.map((id) => this.table.get(`${kind}/${id}`)).filter((s): s is AggregateSnapshot => s !== undefined));
  }
  saveCheckpoint(snapshots: readonly AggregateSnapshot[], position: number): Promise<void> {
    for (const s of snapshots) this.table.set(`${s.kind}/${s.id}`, s);
    this.position = Math.max(this.position, position);
    this.saves += 1;
    return Promise.resolve();
  }
  chosenHead(): Promise<number> {
    return Promise.resolve(this.events.length);
  }
}

/** Builds events as the event store plans them: positions and stream versions in order. */
class Log {
  private readonly versions = new Map<string, number>();
  constructor(readonly source: MemorySource) {}

  event(streamType: string, streamId: string, type: string, data: Record<string, unknown>): LoggedEvent {
    const key = `${streamType}/${streamId}`;
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    const row = { position: this.source.events.length + 1, stream_type: streamType, stream_id: streamId, stream_version: version, type, data: JSON.stringify(data) };
    this.source.events.push(row);
    return row;
  }
}

const actor = { username: 'tina', role: 'teacher' };
const register = (log: Log, id: string) => log.event('student', id, 'StudentRegistered', { studentId: id, name: id, className: '7a', initialScore: 100, actor });
const modify = (log: Log, id: string, newScore: number) => log.event('student', id, 'ScoreModified', { studentId: id, delta: 1, newScore, reason: 'r', source: 'direct', actor });
const archive = (log: Log, id: string) => log.event('student', id, 'StudentArchived', { studentId: id, actor });
const submit = (log: Log, app: string, student: string) => log.event('application', app, 'ApplicationSubmitted', { applicationId: app, studentId: student, delta: 2, reason: 'r', actor });
const approve = (log: Log, app: string) => log.event('application', app, 'ApplicationApproved', { applicationId: app, actor });

/** Hands rows to the store as one planned and written batch. */
function plan(store: AggregateStore, rows: readonly LoggedEvent[]): void {
  if (rows.length === 0) return;
  const head = rows[rows.length - 1].position;
  store.onPlanned({ entries: [{ slot: head }], events: rows, head });
  store.onWritten(head);
}

const TINY: AggregateStoreOptions = { snapshotEveryEvents: 5, coldCacheMax: 1 };

describe('LruCache', () => {
  it('evicts the least recently used entry past its maximum', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([...cache.keys()]).toEqual(['a', 'c']);
  });

  it('keeps entries it may not evict and evicts the next oldest', () => {
    const cache = new LruCache<string, number>(2, (key) => key !== 'pinned');
    cache.set('pinned', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([...cache.keys()]).toEqual(['pinned', 'c']);
  });

  it('never evicts with a maximum of Infinity', () => {
    const cache = new LruCache<number, number>(Infinity);
    for (let i = 0; i < 1000; i++) cache.set(i, i);
    expect(cache.size).toBe(1000);
  });
});

describe('AggregateStore', () => {
  it('keeps closed applications out of memory past the cache maximum and loads them back on demand', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    const store = new AggregateStore(source, TINY);
    await store.load();
    plan(store, [register(log, 's1')]);
    for (let i = 0; i < 20; i++) plan(store, [submit(log, `a${i}`, 's1'), approve(log, `a${i}`)]);
    await store.settled();
    // 1 student (hot) + at most the cache's one closed application (+ those waiting for a checkpoint: none, they never were hot).
    expect(store.residentCount).toBeLessThanOrEqual(2);
    expect(() => store.application('a3')).toThrow(AggregateNotLoadedError);
    const release = await store.prefetch(['application/a3']);
    expect(store.application('a3')).toMatchObject({ exists: true, status: 'approved', version: 2, studentId: 's1' });
    release();
  });

  it('a start loads the checkpoint and folds only the events after it, to the same states', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    const first = new AggregateStore(source, TINY);
    await first.load();
    plan(first, [register(log, 's1'), register(log, 's2')]);
    for (let i = 0; i < 12; i++) plan(first, [modify(log, 's1', 100 + i)]);
    plan(first, [submit(log, 'open', 's2')]);
    await first.settled();
    expect(source.position).toBeGreaterThan(0);
    const atCheckpoint = source.position;
    const second = new AggregateStore(source, TINY);
    await second.load();
    expect(second.folded).toBe(source.events.length - atCheckpoint);
    for (const id of ['s1', 's2']) expect(second.student(id)).toEqual(first.student(id));
    expect(second.application('open')).toEqual(first.application('open'));
  });

  it('a hot aggregate that turns cold is rewritten as cold, so a start does not load it as hot', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    const first = new AggregateStore(source, TINY);
    await first.load();
    plan(first, [register(log, 's1'), register(log, 'gone'), submit(log, 'x', 's1')]);
    plan(first, [modify(log, 's1', 101), modify(log, 's1', 102)]); // a checkpoint: s1, gone, x hot
    await first.settled();
    expect(source.table.get('student/gone')?.cold).toBe(false);
    plan(first, [archive(log, 'gone'), approve(log, 'x'), modify(log, 's1', 103), modify(log, 's1', 104), modify(log, 's1', 105)]);
    await first.settled();
    expect(source.table.get('student/gone')?.cold).toBe(true);
    const second = new AggregateStore(source, TINY);
    await second.load();
    expect(second.activeStudentIds(null)).toEqual(['s1']);
    const release = await second.prefetch(['student/gone', 'application/x']);
    expect(second.student('gone')).toMatchObject({ exists: true, archived: true, version: 2 });
    expect(second.application('x').status).toBe('approved');
    release();
  });

  it('an event planned for a cold aggregate not in memory is folded once it is loaded', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    const store = new AggregateStore(source, { snapshotEveryEvents: 0, coldCacheMax: 1 });
    await store.load();
    plan(store, [register(log, 'old'), archive(log, 'old'), register(log, 'b'), archive(log, 'b')]);
    const release0 = await store.prefetch(['student/old']);
    release0();
    plan(store, [register(log, 'c'), archive(log, 'c')]); // evicts 'old'
    plan(store, [log.event('student', 'old', 'StudentDetailsCorrected', { studentId: 'old', name: 'Renamed', actor })]);
    const release = await store.prefetch(['student/old']);
    expect(store.student('old')).toMatchObject({ name: 'Renamed', archived: true, version: 3 });
    release();
  });

  it('an event planned (not yet written) for a cold aggregate not in memory is folded from the buffer of its load', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    const store = new AggregateStore(source, { snapshotEveryEvents: 0, coldCacheMax: 1 });
    await store.load();
    plan(store, [register(log, 'old'), archive(log, 'old'), register(log, 'b'), archive(log, 'b')]);
    source.written = source.events.length;
    const row = log.event('student', 'old', 'StudentDetailsCorrected', { studentId: 'old', name: 'Renamed', actor });
    store.onPlanned({ entries: [{ slot: row.position }], events: [row], head: row.position });
    const prefetched = store.prefetch(['student/old']);
    await new Promise((r) => setImmediate(r)); // the load has read the log, without the row
    source.written = row.position;
    store.onWritten(row.position);
    const release = await prefetched;
    expect(store.student('old')).toMatchObject({ name: 'Renamed', archived: true, version: 3 });
    release();
  });

  it('a start folding past a checkpoint loads a cold aggregate its events touch without folding them twice', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    const first = new AggregateStore(source, TINY);
    await first.load();
    plan(first, [register(log, 'old'), modify(log, 'old', 150), archive(log, 'old'), register(log, 'b'), modify(log, 'b', 1)]);
    await first.settled();
    expect(source.position).toBe(5);
    const rename = (name: string) => log.event('student', 'old', 'StudentDetailsCorrected', { studentId: 'old', name, actor });
    plan(first, [rename('One'), modify(log, 'b', 2), rename('Two')]);
    const second = new AggregateStore(source, { snapshotEveryEvents: 100, coldCacheMax: 1, loadBatch: 1 });
    await second.load();
    const release = await second.prefetch(['student/old']);
    expect(second.student('old')).toMatchObject({ name: 'Two', score: 150, archived: true, version: 5 });
    release();
  });

  it('takes a checkpoint on its schedule too, before the event count is reached', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    let now = 0;
    const store = new AggregateStore(source, { snapshotEveryEvents: 1000, coldCacheMax: 10, snapshotIntervalMs: 60_000, now: () => now });
    await store.load();
    plan(store, [register(log, 's1')]);
    await store.settled();
    expect(source.position).toBe(0);
    now = 60_000;
    plan(store, [modify(log, 's1', 120)]);
    await store.settled();
    expect(source.position).toBe(2);
    expect(JSON.parse(source.table.get('student/s1')!.state)).toMatchObject({ score: 120 });
  });

  it('with snapshots off a start writes no checkpoint, so a later start with them on folds the whole log', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    for (let i = 0; i < 30; i++) register(log, `s${i}`);
    const off = new AggregateStore(source, { snapshotEveryEvents: 0, coldCacheMax: Infinity, loadBatch: 4, loadCheckpointEvery: 8 });
    await off.load();
    await off.settled();
    expect(source.saves).toBe(0);
    const on = new AggregateStore(source, TINY);
    await on.load();
    expect(on.activeStudentIds(null)).toHaveLength(30);
  });

  it('a prefetch that a reload (a recovery) overtakes fails as retryable instead of resolving with nothing loaded', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    const store = new AggregateStore(source, TINY);
    await store.load();
    plan(store, [register(log, 's1')]);
    for (let i = 0; i < 5; i++) plan(store, [submit(log, `a${i}`, 's1'), approve(log, `a${i}`)]);
    await store.settled();
    expect(() => store.application('a0')).toThrow(AggregateNotLoadedError);
    // The load on demand waits for its rows; the reload starts meanwhile.
    const fetching = store.prefetch(['application/a0']);
    const reloading = store.load();
    // While the reload runs, a prefetch is refused at once; after it, it loads as before.
    const during = store.prefetch(['application/a1']);
    await expect(fetching).rejects.toThrow(AggregatesReloadingError);
    await expect(during).rejects.toThrow(AggregatesReloadingError);
    await reloading;
    const release = await store.prefetch(['application/a0']);
    expect(store.application('a0').status).toBe('approved');
    release();
  });

  it('gives the same states with a cache of one as with every aggregate in memory (property)', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('register' as const), s: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('modify' as const), s: fc.integer({ min: 0, max: 5 }), score: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('archive' as const), s: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('submit' as const), a: fc.integer({ min: 0, max: 8 }), s: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('close' as const), a: fc.integer({ min: 0, max: 8 }) }),
      fc.record({ kind: fc.constant('restart' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const source = new MemorySource();
        const log = new Log(source);
        let tiny = new AggregateStore(source, { snapshotEveryEvents: 3, coldCacheMax: 1 });
        const full = new AggregateStore(source, { snapshotEveryEvents: 0, coldCacheMax: Infinity });
        await tiny.load();
        await full.load();
        const students = new Set<number>();
        const apps = new Map<number, boolean>();
        for (const o of ops) {
          const rows: LoggedEvent[] = [];
          if (o.kind === 'register' && !students.has(o.s)) {
            students.add(o.s);
            rows.push(register(log, `s${o.s}`));
          }
          else if (o.kind === 'modify' && students.has(o.s)) rows.push(modify(log, `s${o.s}`, o.score));
          else if (o.kind === 'archive' && students.has(o.s)) rows.push(archive(log, `s${o.s}`));
          else if (o.kind === 'submit' && students.has(o.s) && !apps.has(o.a)) {
            apps.set(o.a, true);
            rows.push(submit(log, `a${o.a}`, `s${o.s}`));
          } else if (o.kind === 'close' && apps.get(o.a)) {
            apps.set(o.a, false);
            rows.push(approve(log, `a${o.a}`));
          }
          else if (o.kind === 'restart') {
            await tiny.settled();
            tiny = new AggregateStore(source, { snapshotEveryEvents: 3, coldCacheMax: 1 });
            await tiny.load();
          }
          plan(tiny, rows);
          plan(full, rows);
        }
        await tiny.settled();
        const keys = [...[0, 1, 2, 3, 4, 5].map((s) => `student/s${s}`), ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((a) => `application/a${a}`)];
        for (const key of keys) {
          const release = await tiny.prefetch([key]);
          const [kind, id] = key.split('/');
          expect(tiny.get(kind, id)).toEqual(full.get(kind, id));
          release();
        }
        expect(tiny.activeStudentIds(null)).toEqual(full.activeStudentIds(null));
      }),
      { numRuns: 150 },
    );
  });
});

describe('AggregateStore: snapshots written by an earlier release', () => {
  it('reads a field the state gained since (a user snapshot without classes) at its initial value, and folds on from there', async () => {
    const source = new MemorySource();
    const log = new Log(source);
    log.event('user', 'tina', 'UserCreated', { username: 'tina', passwordHash: 'h', role: 'teacher', displayName: 'Tina', actor, at: '2025-03-01T08:00:00.000Z' });
    // The state as the release before "my classes" wrote it: no classes field.
    const before = { exists: true, username: 'tina', role: 'teacher', displayName: 'Tina', studentId: null, disabled: false, version: 1 };
    await source.saveCheckpoint([{ kind: 'user', id: 'tina', position: 1, cold: false, state: JSON.stringify(before) }], 1);
    const store = new AggregateStore(source, TINY);
    await store.load();
    expect(store.folded).toBe(0);
    expect(store.user('tina')).toEqual({ ...before, classes: [] });
    plan(store, [log.event('user', 'tina', 'UserClassesAssigned', { username: 'tina', classes: ['7A'], actor, at: '2025-03-01T09:00:00.000Z' })]);
    expect(store.user('tina')).toMatchObject({ classes: ['7A'], version: 2 });
  });
});
