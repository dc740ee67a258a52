import fc from 'fast-check';
import {
  type PlainRow,
  type ReadModelState,
  type ReadModelTable,
  RowChangeBatch,
  type UpsertGroup,
  fullRow,
  applyRowChange,
  emptyReadModelState,
  foldReadModels,
  projectEvent,
  projectionRoutes,
  READ_MODEL_PROJECTIONS,
  loggedEvent,
} from '../../../src/projections';
import { commandsArb } from './event-arbitraries';

/** What MySQL does with one upsert group: insert the full row when the key is new, else update only `updates`. */
function applyUpsertGroup(state: ReadModelState, group: UpsertGroup): void {
  const table = state[group.table] as unknown as Map<string | number, PlainRow>;
  for (const { key, set } of group.rows) {
    const inserted = fullRow(group.table, key, set);
    const existing = table.get(key);
    if (existing === undefined) {
      table.set(key, inserted);
      continue;
    }
    const updated = { ...existing };
    for (const column of group.updates) updated[column] = inserted[column];
    table.set(key, updated);
  }
}

const toPlain = (state: ReadModelState) =>
  Object.fromEntries((Object.keys(state) as ReadModelTable[]).map((t) => [t, [...state[t].entries()].sort()]));

describe('RowChangeBatch (property)', () => {
  it('merging a batch into one upsert per row equals applying its changes one by one, on any tables', () => {
    const routes = projectionRoutes(READ_MODEL_PROJECTIONS);
    fc.assert(
      fc.property(commandsArb(30), fc.integer({ min: 0, max: 60 }), (commands, split) => {
        const events = commands.flat().map((e, i) =>
          loggedEvent({
            position: i + 1,
            stream_type: e.streamType,
            stream_id: e.streamId,
            type: e.type,
            schema_version: 1,
            data: JSON.stringify(e.data),
          }),
        );
        // tables already holding the first `split` events, then one merged batch of the rest
        const before = events.slice(0, split);
        const merged = foldReadModels(before);
        const batch = new RowChangeBatch();
        for (const event of events.slice(split)) for (const change of projectEvent(routes, event)) batch.add(change);
        for (const group of batch.groups()) applyUpsertGroup(merged, group);
        expect(toPlain(merged)).toEqual(toPlain(foldReadModels(events)));
      }),
      { numRuns: 300 },
    );
  });

  it('groups rows by the columns they set, never the key, and counts each row once', () => {
    const batch = new RowChangeBatch();
    batch.add({ table: 'students', key: 's-1', set: { score: 1, position: 1 } });
    batch.add({ table: 'students', key: 's-1', set: { score: 2, position: 2 } });
    batch.add({ table: 'students', key: 's-2', set: { frozen: true, position: 3 } });
    batch.add({ table: 'score_records', key: 4, set: { delta: 1 } });
    expect(batch.size).toBe(3);
    const groups = batch.groups();
    expect(groups.map((g) => [g.table, g.updates, g.rows.length])).toEqual([
      ['students', ['position', 'score'], 1],
      ['students', ['frozen', 'position'], 1],
      ['score_records', ['delta'], 1],
    ]);
    expect(groups[0].rows[0]).toEqual({ key: 's-1', set: { score: 2, position: 2 } });
    expect(fullRow('students', 's-1', groups[0].rows[0].set)).toMatchObject({
      student_id: 's-1',
      score: 2,
      name: '',
      frozen: false,
    });
  });

  it('applyRowChange creates a missing row from the defaults and overwrites only what a change sets', () => {
    const state = emptyReadModelState();
    applyRowChange(state, { table: 'users', key: 'kim', set: { role: 'admin', position: 1 } });
    applyRowChange(state, { table: 'users', key: 'kim', set: { disabled: true, position: 2 } });
    expect(state.users.get('kim')).toEqual({
      username: 'kim',
      role: 'admin',
      display_name: '',
      student_id: null,
      disabled: true,
      position: 2,
      classes: '[]',
    });
  });
});
