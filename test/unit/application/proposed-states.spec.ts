import { type AggregateSource, AggregateStore, type LoggedEvent } from '../../../src/application/aggregate-store';
import { ProposedStates } from '../../../src/application/proposed-states';
import type { DomainEvent } from '../../../src/domain';
import { scoreModified, studentRegistered } from '../../domain/fixtures';

/** An empty log: every aggregate starts in memory, moved only by what the tests plan. */
const EMPTY_LOG: AggregateSource = {
  eventsAfter: () => Promise.resolve([]),
  streamEvents: () => Promise.resolve([]),
  checkpoint: () => Promise.resolve(0),
  hotSnapshots: () => Promise.resolve([]),
  snapshots: () => Promise.resolve([]),
  saveCheckpoint: () => Promise.resolve(),
  chosenHead: () => Promise.resolve(0),
};

describe('ProposedStates: decisions read what the leader proposed on top of what applied', () => {
  let store: AggregateStore;
  let view: ProposedStates;
  let position = 0;
  let versions: Map<string, number>;

  /** Applies events to the store as a planned and written batch. */
  function apply(events: readonly DomainEvent[]): void {
    const rows: LoggedEvent[] = events.map((e) => {
      position += 1;
      const key = `${e.streamType}/${e.streamId}`;
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      return { position, stream_type: e.streamType, stream_id: e.streamId, stream_version: version, type: e.type, schema_version: e.schemaVersion, data: JSON.stringify(e.data) } as LoggedEvent;
    });
    store.onPlanned({ entries: [{ slot: position }], events: rows, head: position });
    store.onWritten(position);
  }

  beforeEach(async () => {
    position = 0;
    versions = new Map();
    store = new AggregateStore(EMPTY_LOG);
    await store.load();
    view = new ProposedStates(store);
    apply([studentRegistered(100)]);
  });

  it('reads the store until something is proposed, then the proposals in order', () => {
    expect(view.student('s-1')).toMatchObject({ score: 100, version: 1 });
    view.propose([scoreModified(5, 100)]);
    view.propose([scoreModified(-2, 105)]);
    expect(view.student('s-1')).toMatchObject({ score: 103, version: 3 });
    expect(store.student('s-1')).toMatchObject({ score: 100, version: 1 });
    expect(view.size).toBe(1);
  });

  it('a proposal that applied leaves its layer and keeps the ones above it', () => {
    const first = view.propose([scoreModified(5, 100)]);
    view.propose([scoreModified(-2, 105)]);
    apply([scoreModified(5, 100)]);
    view.settle(first, true);
    expect(view.student('s-1')).toMatchObject({ score: 103, version: 3 });
  });

  it('a proposal that did not apply takes the layers built on it along', async () => {
    const first = view.propose([scoreModified(5, 100)]);
    const second = view.propose([scoreModified(-2, 105)]);
    view.settle(first, false);
    expect(view.student('s-1')).toMatchObject({ score: 100, version: 1 });
    expect(view.size).toBe(0);
    // The one above settles later (refused when applied): nothing left to take.
    view.settle(second, false);
    expect(view.student('s-1')).toMatchObject({ score: 100, version: 1 });
    await expect(second.settled).resolves.toBeUndefined();
  });

  it('tells which aggregates a decision read on a proposed state, and which of them its versions do not check', () => {
    view.propose([scoreModified(5, 100)]);
    const read = view.reading(() => [view.student('s-1').score, view.user('kim').exists, view.reason('helped').exists]);
    expect(read.value).toEqual([105, false, false]);
    expect(read.layered).toEqual(['student/s-1']);
    expect(view.unchecked(read.layered, { 'student/s-1': 2 })).toEqual([]);
    // e.g. a user bound to a student whose registration is only proposed: that must apply first
    expect(view.unchecked(read.layered, { 'user/kim': 0 })).toEqual(['student/s-1']);
    expect(view.reading(() => view.user('kim').exists).layered).toEqual([]);
  });

  it('waits for the proposals under the aggregates a decision read, and for nothing when there are none', async () => {
    expect(view.settledAll(['student/s-1'])).toBeUndefined();
    const first = view.propose([scoreModified(5, 100)]);
    const waiting = view.settledAll(['student/s-1', 'reason/none']);
    expect(waiting).toBeDefined();
    expect(view.settledAll(['student/s-2'])).toBeUndefined();
    let done = false;
    void waiting?.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    apply([scoreModified(5, 100)]);
    view.settle(first, true);
    await waiting;
    expect(done).toBe(true);
    expect(view.settledAll(['student/s-1'])).toBeUndefined();
  });
});
