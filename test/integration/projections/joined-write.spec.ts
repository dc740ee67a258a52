import type { ChosenEntry } from '../../../src/consensus';
import type { DomainEvent } from '../../../src/domain';
import { EventStore } from '../../../src/infra/mysql/event-store';
import { Projector, type ProjectorOptions, READ_MODELS, readCheckpoints, readModelDb } from '../../../src/projections';
import { scoreModified, studentRegistered } from '../../domain/fixtures';
import { type TestDatabase, createTestDatabase } from '../mysql/test-database';

/** A chosen slot of one command per event list, each command's events on the streams they name. */
function slot(n: number, commands: readonly (readonly DomainEvent[])[]): ChosenEntry {
  return {
    slot: n,
    value: {
      kind: 'batch',
      values: commands.map((events, i) => ({ id: `c-${n}-${i}`, payload: JSON.stringify({ events }) })),
    },
  };
}

describe('the read models join the transaction that stores their events (real MySQL)', () => {
  let test: TestDatabase;

  beforeEach(async () => {
    test = await createTestDatabase();
  });
  afterEach(() => test.drop());

  async function scoreOf(studentId: string): Promise<number | undefined> {
    const row = await readModelDb(test.db).selectFrom('students').select('score').where('student_id', '=', studentId).executeTakeFirst();
    return row === undefined ? undefined : Number(row.score);
  }

  async function checkpoint(): Promise<number> {
    return (await readCheckpoints(readModelDb(test.db))).find((c) => c.name === 'read-models')?.position ?? 0;
  }

  /** Plans and stores entries the way the write loop does. */
  async function apply(store: EventStore, entries: ChosenEntry[]): Promise<void> {
    const batch = await store.plan(entries);
    await store.store([batch]);
    store.written(batch);
  }

  /** An event store whose writes the read models' projector joins, both loaded. */
  async function joined(options: ProjectorOptions = {}): Promise<{ store: EventStore; projector: Projector }> {
    const store = new EventStore(test.db);
    await store.load();
    const projector = new Projector(readModelDb(test.db), READ_MODELS, options);
    await projector.load();
    store.joinWith(projector);
    return { store, projector };
  }

  it('writes the rows and the checkpoint with the events, without the run loop', async () => {
    const { store, projector } = await joined();
    await apply(store, [slot(1, [[studentRegistered(100)]]), slot(2, [[scoreModified(5, 100)]])]);
    // The run loop never ran: the write path committed the rows, the checkpoint, and told waiting reads.
    expect(await scoreOf('s-1')).toBe(105);
    expect(await checkpoint()).toBe(2);
    expect(projector.position).toBe(2);
    await expect(projector.waitFor(2, 10)).resolves.toBeUndefined();
    await projector.stop();
  });

  it('stores the events alone when the joined rows fail, and the projector writes them next', async () => {
    let failures = 1;
    const { store, projector } = await joined({
      hooks: {
        afterUpsert: () => {
          if (failures-- > 0) throw new Error('the read models refused this batch');
        },
      },
    });
    const reported: unknown[] = [];
    store.onJoinedWriteError = (e) => reported.push(e);
    await apply(store, [slot(1, [[studentRegistered(100)]])]);
    expect(reported).toHaveLength(1);
    expect(await test.db.selectFrom('event_log').select('position').execute()).toEqual([{ position: 1 }]);
    // Rolled back with the failed transaction: no row, the checkpoint where it was.
    expect(await scoreOf('s-1')).toBeUndefined();
    expect(await checkpoint()).toBe(0);
    expect(projector.position).toBe(0);
    await projector.catchUp();
    expect(await scoreOf('s-1')).toBe(100);
    expect(await checkpoint()).toBe(1);
    // Caught up again, it joins the next write.
    await apply(store, [slot(2, [[scoreModified(-3, 100)]])]);
    expect(await scoreOf('s-1')).toBe(97);
    expect(await checkpoint()).toBe(2);
    await projector.stop();
  });

  it('joins nothing while the projector is behind the events written', async () => {
    const store = new EventStore(test.db);
    await store.load();
    await apply(store, [slot(1, [[studentRegistered(100)]])]);
    const projector = new Projector(readModelDb(test.db), READ_MODELS);
    await projector.load();
    store.joinWith(projector);
    await apply(store, [slot(2, [[scoreModified(7, 100)]])]);
    expect(await test.db.selectFrom('event_log').select('position').orderBy('position').execute()).toEqual([{ position: 1 }, { position: 2 }]);
    expect(await scoreOf('s-1')).toBeUndefined();
    expect(projector.position).toBe(0);
    await projector.catchUp();
    expect(await scoreOf('s-1')).toBe(107);
    expect(await checkpoint()).toBe(2);
    await projector.stop();
  });

  it('keeps events that change no row out of the transaction, and moves the checkpoint in memory', async () => {
    const { store, projector } = await joined();
    const record: DomainEvent = { type: 'RecordAppended', schemaVersion: 1, streamType: 'log', streamId: 'r1', data: { n: 1 } } as unknown as DomainEvent;
    await apply(store, [slot(1, [[record]])]);
    expect(projector.position).toBe(1);
    expect(await checkpoint()).toBe(0);
    await apply(store, [slot(2, [[studentRegistered(100)]])]);
    expect(await checkpoint()).toBe(2);
    expect(await scoreOf('s-1')).toBe(100);
    await projector.stop();
  });
});
