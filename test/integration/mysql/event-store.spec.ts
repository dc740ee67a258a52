import type { ChosenEntry } from '../../../src/consensus';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import type { CommandOutcome } from '../../../src/application/command-log';
import { EventStore, type PlannedBatch } from '../../../src/infra/mysql/event-store';
import { type TestDatabase, createTestDatabase } from './test-database';

/** A chosen slot carrying commands, each appending one event per listed stream. */
function slot(n: number, commands: { id: string; streams: string[]; expected?: Record<string, number> }[]): ChosenEntry {
  return {
    slot: n,
    value: {
      kind: 'batch',
      values: commands.map((c) => ({
        id: c.id,
        payload: JSON.stringify({
          events: c.streams.map((s) => ({ streamType: 'log', streamId: s, type: 'RecordAppended', schemaVersion: 1, data: { id: c.id } })),
          expected: c.expected,
        }),
      })),
    },
  };
}

describe('EventStore (real MySQL)', () => {
  let test: TestDatabase;
  let storage: MysqlAcceptorStorage;

  beforeEach(async () => {
    test = await createTestDatabase();
    storage = new MysqlAcceptorStorage(test.db);
  });
  afterEach(() => test.drop());

  /** Plans and writes entries the way the driver does: plan, then store with the chosen log. */
  async function apply(store: EventStore, entries: ChosenEntry[]): Promise<PlannedBatch> {
    const batch = await store.plan(entries);
    await store.store([batch]);
    store.written(batch);
    return batch;
  }

  it('gives events gap-free positions and stream versions, in slot order', async () => {
    const store = new EventStore(test.db);
    await store.load();
    const batch = await apply(store, [slot(1, [{ id: 'a', streams: ['s1', 's2'] }]), slot(2, [{ id: 'b', streams: ['s1'] }])]);
    expect(batch.outcomes.map((o) => [o.commandId, o.firstPosition, o.lastPosition])).toEqual([
      ['a', 1, 2],
      ['b', 3, 3],
    ]);
    const rows = await test.db.selectFrom('event_log').select(['position', 'stream_id', 'stream_version']).orderBy('position').execute();
    expect(rows).toEqual([
      { position: 1, stream_id: 's1', stream_version: 1 },
      { position: 2, stream_id: 's2', stream_version: 1 },
      { position: 3, stream_id: 's1', stream_version: 2 },
    ]);
    expect(store.writtenHead).toBe(3);
  });

  it('applies a command id once for ever: a repeat after a restart gets the first outcome and writes nothing', async () => {
    const first = new EventStore(test.db);
    await first.load();
    await apply(first, [slot(1, [{ id: 'once', streams: ['s1'] }])]);
    // a restarted node knows the id only from the database (through its filter)
    const restarted = new EventStore(test.db);
    await restarted.load();
    expect(restarted.recentOutcome('once')).toBeUndefined();
    const batch = await apply(restarted, [slot(2, [{ id: 'once', streams: ['s1'] }, { id: 'new', streams: ['s1'] }])]);
    expect(batch.outcomes[0]).toMatchObject({ commandId: 'once', slot: 1, firstPosition: 1, duplicate: true });
    expect(batch.outcomes[1]).toMatchObject({ commandId: 'new', slot: 2, firstPosition: 2 });
    expect(await test.db.selectFrom('event_log').select('command_id').execute()).toHaveLength(2);
  });

  it('stores a command that wrote events once: its events carry the command key, it has no outcome row, and its outcome is rebuilt exactly from the log', async () => {
    const store = new EventStore(test.db);
    await store.load();
    const batch = await apply(store, [slot(1, [{ id: 'two', streams: ['s1', 's2'] }, { id: 'stale', streams: ['s1'], expected: { 'log/s1': 7 } }])]);
    const rows = await test.db.selectFrom('event_log').select(['command_id', 'command_index']).orderBy('position').execute();
    expect(rows).toEqual([
      { command_id: 'two', command_index: 0 },
      { command_id: 'two', command_index: 1 },
    ]);
    // Only the outcome without events has a row of its own.
    expect((await test.db.selectFrom('applied_commands').select('command_id').execute()).map((r) => r.command_id)).toEqual(['stale']);
    const restarted = new EventStore(test.db);
    await restarted.load();
    await restarted.idsSettled();
    expect(restarted.idsLoaded).toBe(true);
    expect(await restarted.outcome('two')).toEqual(batch.outcomes[0]);
    expect(await restarted.outcome('stale')).toEqual(batch.outcomes[1]);
    expect(await restarted.outcome('never')).toBeUndefined();
    // The key holds in the database: the same command's events cannot be written twice.
    const again = { ...(await test.db.selectFrom('event_log').selectAll().where('position', '=', 1).executeTakeFirstOrThrow()), position: 3 };
    await expect(test.db.insertInto('event_log').values(again).execute()).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
  });

  it('knows a repeat after a restart whether its filter of applied ids is full or not filled yet', async () => {
    const first = new EventStore(test.db);
    await first.load();
    await apply(first, [slot(1, [{ id: 'once', streams: ['s1'] }])]);
    // filled in the background: once settled, every applied id is in the filter
    const filled = new EventStore(test.db);
    await filled.load();
    await filled.idsSettled();
    expect(filled.idsLoaded).toBe(true);
    // never filled (stopped before the fill began): every id is looked up in the database
    const unfilled = new EventStore(test.db);
    await unfilled.stop();
    await unfilled.load();
    await unfilled.idsSettled();
    expect(unfilled.idsLoaded).toBe(false);
    for (const [store, next] of [[filled, 2], [unfilled, 3]] as const) {
      const planned = await store.plan([slot(next, [{ id: 'once', streams: ['s1'] }, { id: `new-${next}`, streams: ['s1'] }])]);
      expect(planned.outcomes.map((o) => [o.commandId, o.slot, o.duplicate ?? false])).toEqual([
        ['once', 1, true],
        [`new-${next}`, next, false],
      ]);
    }
  });

  it('a repeat within one batch, and one planned but not yet written, is still a duplicate', async () => {
    const store = new EventStore(test.db);
    await store.load();
    const heard: CommandOutcome[] = [];
    store.onOutcomes((o) => heard.push(...o));
    const planned = await store.plan([slot(1, [{ id: 'x', streams: ['s'] }, { id: 'x', streams: ['s'] }])]);
    expect(planned.outcomes.map((o) => o.duplicate ?? false)).toEqual([false, true]);
    const again = await store.plan([slot(2, [{ id: 'x', streams: ['s'] }])]);
    expect(again.outcomes[0]).toMatchObject({ duplicate: true, slot: 1 });
    expect(heard).toHaveLength(3);
  });

  it('refuses a command whose expected stream version moved, the same way on every replay', async () => {
    const store = new EventStore(test.db);
    await store.load();
    const batch = await apply(store, [
      slot(1, [{ id: 'a', streams: ['s'], expected: { 'log/s': 0 } }]),
      slot(2, [{ id: 'b', streams: ['s'], expected: { 'log/s': 0 } }]),
    ]);
    expect(batch.outcomes.map((o) => o.status)).toEqual(['applied', 'rejected']);
    expect(batch.outcomes[1].reason).toMatch(/version 1, expected 0/);
    expect(store.streamVersion('log', 's')).toBe(1);
  });

  it('after a failed write, reload forgets the unwritten plan and replanning gives the same outcomes', async () => {
    const store = new EventStore(test.db);
    await store.load();
    await apply(store, [slot(1, [{ id: 'a', streams: ['s'] }])]);
    const planned = await store.plan([slot(2, [{ id: 'b', streams: ['s'] }])]);
    // the write never happens (say MySQL went away); the node reloads
    await store.reload();
    expect(store.head).toBe(1);
    const replanned = await store.plan([slot(2, [{ id: 'b', streams: ['s'] }])]);
    expect(replanned.outcomes).toEqual(planned.outcomes);
  });

  it('stores chosen entries, records and events in one call, and a chosen slot stored again takes the checked path', async () => {
    const store = new EventStore(test.db);
    await store.load();
    const first = await store.plan([slot(1, [{ id: 'a', streams: ['s'] }])]);
    await store.store([first]);
    expect(await storage.readChosen(1, 10)).toHaveLength(1);
    // the same chosen slot again (a replay): the procedure refuses the duplicate and the
    // checked path accepts it as the same value
    const replay = { ...first, outcomes: [], events: [] };
    await expect(store.store([replay])).resolves.toBeUndefined();
    // a different value for a stored slot is a safety violation
    const other = await store.plan([slot(1, [{ id: 'b', streams: ['s'] }])]);
    await expect(store.store([{ ...other, outcomes: [], events: [] }])).rejects.toThrow(/different/);
  });

  it('a malformed command record is rejected, not thrown', async () => {
    const store = new EventStore(test.db);
    await store.load();
    const entry: ChosenEntry = { slot: 1, value: { kind: 'batch', values: [{ id: 'bad', payload: '{not json' }] } };
    const batch = await apply(store, [entry]);
    expect(batch.outcomes[0]).toMatchObject({ status: 'rejected', reason: 'malformed command record' });
    expect(store.head).toBe(0);
  });
  it('records a refusal without events as the first outcome of its command id, for ever', async () => {
    const refusal = { code: 'rule-broken', message: 'score would leave 0..200' };
    const refused = (n: number, expected: Record<string, number>): ChosenEntry => ({
      slot: n,
      value: { kind: 'batch', values: [{ id: 'refused', payload: JSON.stringify({ events: [], expected, refusal, metadata: { actor: { username: 'root' } } }) }] },
    });
    const store = new EventStore(test.db);
    await store.load();
    const batch = await apply(store, [refused(1, { 'log/s': 0 })]);
    expect(batch.outcomes[0]).toMatchObject({ commandId: 'refused', status: 'rejected', reason: refusal.message, refusal, actor: 'root' });
    expect(store.head).toBe(0);
    // the same id with another body, after a restart (so from applied_commands): the first refusal
    const restarted = new EventStore(test.db);
    await restarted.load();
    const again = await apply(restarted, [slot(2, [{ id: 'refused', streams: ['s'] }])]);
    expect(again.outcomes[0]).toMatchObject({ commandId: 'refused', slot: 1, status: 'rejected', refusal, duplicate: true });
    expect(await restarted.outcome('refused')).toMatchObject({ refusal });
    expect(await test.db.selectFrom('event_log').select('position').execute()).toHaveLength(0);
  });

  it('a refusal decided on a stream that moved is stale (no refusal recorded), and one with events is malformed', async () => {
    const store = new EventStore(test.db);
    await store.load();
    const refusal = { code: 'not-found', message: 'no student s' };
    const batch = await apply(store, [
      slot(1, [{ id: 'a', streams: ['s'] }]),
      { slot: 2, value: { kind: 'batch', values: [{ id: 'stale', payload: JSON.stringify({ events: [], expected: { 'log/s': 0 }, refusal }) }] } },
      {
        slot: 3,
        value: {
          kind: 'batch',
          values: [{ id: 'mixed', payload: JSON.stringify({ events: [{ streamType: 'log', streamId: 's', type: 'X', schemaVersion: 1, data: {} }], refusal }) }],
        },
      },
    ]);
    expect(batch.outcomes[1]).toMatchObject({ commandId: 'stale', status: 'rejected' });
    expect(batch.outcomes[1].refusal).toBeUndefined();
    expect(batch.outcomes[1].reason).toMatch(/version 1, expected 0/);
    expect(batch.outcomes[2]).toMatchObject({ commandId: 'mixed', status: 'rejected', reason: 'malformed command record' });
    expect(store.head).toBe(1);
  });
});

describe('EventStore stream versions not held in memory (real MySQL)', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await createTestDatabase();
  });
  afterEach(() => test.drop());

  const entry = (n: number, id: string, expected: Record<string, number>): ChosenEntry => ({
    slot: n,
    value: { kind: 'batch', values: [{ id, payload: JSON.stringify({ events: [{ streamType: 'student', streamId: 's1', type: 'X', schemaVersion: 1, data: {} }], expected }) }] },
  });
  async function apply(store: EventStore, e: ChosenEntry): Promise<PlannedBatch> {
    const batch = await store.plan([e]);
    await store.store([batch]);
    store.written(batch);
    return batch;
  }

  it('a restarted store reads a stream version from the log when a command names it, and checks it alike', async () => {
    const first = new EventStore(test.db);
    await first.load();
    await apply(first, entry(1, 'a', {}));
    await apply(first, entry(2, 'b', { 'student/s1': 1 }));
    const restarted = new EventStore(test.db);
    await restarted.load();
    expect(restarted.streamVersion('student', 's1')).toBe(0); // not read at start
    const stale = await apply(restarted, entry(3, 'stale', { 'student/s1': 1 }));
    expect(stale.outcomes[0].status).not.toBe('applied');
    const current = await apply(restarted, entry(4, 'current', { 'student/s1': 2 }));
    expect(current.outcomes[0].status).toBe('applied');
    expect(current.events.map((e) => e.stream_version)).toEqual([3]);
  });
});
