import { Migrator, sql } from 'kysely';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import { CHOSEN_WATERMARK_META } from '../../../src/infra/mysql/chosen-watermark';
import { migrateToLatest } from '../../../src/infra/mysql/migrate';
import { MIGRATIONS } from '../../../src/infra/mysql/migrations';
import { readMeta } from '../../../src/infra/mysql/paxos-meta';
import { decodeSlotValue, encodeSlotValue } from '../../../src/infra/mysql/slot-value-json';
import type { SlotValue } from '../../../src/consensus/value';
import { createTestDatabase, type TestDatabase } from './test-database';

const value = (id: string): SlotValue => ({ kind: 'batch', values: [{ id, payload: `{"cmd":"${id}"}` }] });
const text = (id: string): string => encodeSlotValue(value(id));

/** A database at the schema before migration 0016: the chosen log a table of its own. */
async function databaseAtPreviousSchema(): Promise<TestDatabase> {
  const test = await createTestDatabase({ migrate: false });
  const migrator = new Migrator({ db: test.db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  const { error } = await migrator.migrateTo('0015_store_chosen_procedure');
  if (error !== undefined) throw error;
  return test;
}

describe('migration 0016: a database of the previous schema is upgraded in place', () => {
  const tests: TestDatabase[] = [];
  afterAll(async () => {
    for (const test of tests) await test.drop();
  });

  it('copies the chosen values over the accepts, sets the watermark, replaces the table by a view, and the node loads as before', async () => {
    const test = await databaseAtPreviousSchema();
    tests.push(test);
    await sql`INSERT INTO paxos_promise (id, round, node_id) VALUES (1, 7, 'n2')`.execute(test.db);
    // Accepts of slots 3..6 (slot 3 accepted with a value that lost, at a low ballot), chosen 1..4, a floor of 2.
    await sql`INSERT INTO paxos_accepted (slot, ballot_round, ballot_node, value) VALUES
      (3, 2, 'n1', ${text('lost')}), (4, 7, 'n2', ${text('c4')}), (5, 7, 'n2', ${text('a5')}), (6, 7, 'n2', ${text('a6')})`.execute(test.db);
    for (const slot of [1, 2, 3, 4]) await sql`INSERT INTO paxos_chosen (slot, value) VALUES (${slot}, ${text(`c${slot}`)})`.execute(test.db);
    await sql`INSERT INTO paxos_meta (name, value) VALUES ('chosen_watermark', 2)`.execute(test.db);

    expect(await migrateToLatest(test.db)).toEqual(['0016_log_in_the_accepted_table', '0017_command_key_in_the_event_log']);

    const rows = await test.db.selectFrom('paxos_accepted').selectAll().orderBy('slot').execute();
    expect(rows.map((r) => [r.slot, r.ballot_round, r.ballot_node, decodeSlotValue(r.value, 'row')])).toEqual([
      [1, 0, '', value('c1')],
      [2, 0, '', value('c2')],
      [3, 2, 'n1', value('c3')],
      [4, 7, 'n2', value('c4')],
      [5, 7, 'n2', value('a5')],
      [6, 7, 'n2', value('a6')],
    ]);
    expect(await readMeta(test.db, CHOSEN_WATERMARK_META)).toBe(4);
    const storage = new MysqlAcceptorStorage(test.db);
    const state = await storage.load();
    expect(state.promised).toEqual({ round: 7, nodeId: 'n2' });
    expect(state.chosenWatermark).toBe(4);
    expect(state.accepted.map((e) => e.slot)).toEqual([5, 6]);
    expect((await storage.readChosen(1, 10)).map((e) => e.value)).toEqual(['c1', 'c2', 'c3', 'c4'].map(value));

    // The new procedure stores slot 5 over its accept and moves the watermark; a replay is refused as a duplicate.
    const chosen = (slot: number, id: string) => JSON.stringify([[slot, text(id)]]);
    await sql`CALL behavior_write_chosen(${chosen(5, 'a5')}, '[]', '[]')`.execute(test.db);
    expect(await readMeta(test.db, CHOSEN_WATERMARK_META)).toBe(5);
    await expect(sql`CALL behavior_write_chosen(${chosen(5, 'a5')}, '[]', '[]')`.execute(test.db)).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    await expect(sql`CALL behavior_write_chosen(${chosen(7, 'x')}, '[]', '[]')`.execute(test.db)).rejects.toThrow(/without a gap/);
    expect(await readMeta(test.db, CHOSEN_WATERMARK_META)).toBe(5);
  });

  it('given a gap in the old chosen log, the watermark stops before it; slots chosen past it are left to catch-up, accepts stay', async () => {
    const test = await databaseAtPreviousSchema();
    tests.push(test);
    for (const slot of [1, 2, 4, 5]) await sql`INSERT INTO paxos_chosen (slot, value) VALUES (${slot}, ${text(`c${slot}`)})`.execute(test.db);
    await sql`INSERT INTO paxos_accepted (slot, ballot_round, ballot_node, value) VALUES (5, 3, 'n1', ${text('c5')})`.execute(test.db);
    await migrateToLatest(test.db);
    const state = await new MysqlAcceptorStorage(test.db).load();
    expect(state.chosenWatermark).toBe(2);
    expect(state.accepted).toEqual([{ slot: 5, ballot: { round: 3, nodeId: 'n1' }, value: value('c5') }]);
  });

  it('an empty database of the previous schema gets the view and no watermark row', async () => {
    const test = await databaseAtPreviousSchema();
    tests.push(test);
    await migrateToLatest(test.db);
    expect(await readMeta(test.db, CHOSEN_WATERMARK_META)).toBeUndefined();
    expect(await new MysqlAcceptorStorage(test.db).load()).toMatchObject({ chosenWatermark: 0, accepted: [] });
  });
});

describe('migration 0017: the event log holds the command key, and outcomes with events leave applied_commands', () => {
  let test: TestDatabase;
  afterAll(async () => {
    await test.drop();
  });

  it('numbers each command\'s events, adds the unique key, and keeps only the outcomes without events', async () => {
    test = await createTestDatabase({ migrate: false });
    const migrator = new Migrator({ db: test.db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
    const { error } = await migrator.migrateTo('0016_log_in_the_accepted_table');
    if (error !== undefined) throw error;
    const event = (position: number, commandId: string) =>
      sql`INSERT INTO event_log (position, slot, command_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata)
        VALUES (${position}, 1, ${commandId}, 'log', ${`s${position}`}, 1, 'RecordAppended', 1, '{}', '{}')`.execute(test.db);
    for (const [position, id] of [[1, 'a'], [2, 'b'], [3, 'b'], [4, 'b'], [5, 'c']] as const) await event(position, id);
    for (const id of ['a', 'b', 'c', 'refused']) {
      await sql`INSERT INTO applied_commands (command_id, slot, outcome) VALUES (${id}, 1, ${JSON.stringify({ commandId: id, slot: 1, status: id === 'refused' ? 'rejected' : 'applied' })})`.execute(test.db);
    }

    expect(await migrateToLatest(test.db)).toEqual(['0017_command_key_in_the_event_log']);

    const rows = await test.db.selectFrom('event_log').select(['position', 'command_id', 'command_index']).orderBy('position').execute();
    expect(rows.map((r) => [r.position, r.command_id, r.command_index])).toEqual([
      [1, 'a', 0],
      [2, 'b', 0],
      [3, 'b', 1],
      [4, 'b', 2],
      [5, 'c', 0],
    ]);
    expect((await test.db.selectFrom('applied_commands').select('command_id').execute()).map((r) => r.command_id)).toEqual(['refused']);
    await expect(event(6, 'a')).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
  });
});
