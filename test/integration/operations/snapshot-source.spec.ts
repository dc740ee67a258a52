import { sql } from 'kysely';
import { ConsistentSnapshot, SnapshotSourceError, type SnapshotValue } from '../../../src/infra/mysql/snapshot-source';
import { MYSQL_URL, type TestDatabase, createTestDatabase, writeChosenRows } from '../mysql/test-database';
import { queryRows } from './snapshot-node';

/** Every row of a table as the snapshot pages it, and the pages' sizes. */
async function readAll(snapshot: ConsistentSnapshot, table: string): Promise<{ rows: SnapshotValue[][]; pages: number[] }> {
  const info = snapshot.tables.find((t) => t.name === table)!;
  const rows: SnapshotValue[][] = [];
  const pages: number[] = [];
  for await (const page of snapshot.pages(info)) {
    rows.push(...page);
    pages.push(page.length);
  }
  return { rows, pages };
}

/**
 * The consistent read of a node's database on the real MariaDB: keyset paging over composite
 * keys in the server's order, pages that shrink for large rows, the tables it leaves out, and
 * the logs it refuses to snapshot.
 */
describe('ConsistentSnapshot', () => {
  let test: TestDatabase;

  beforeEach(async () => {
    test = await createTestDatabase();
  });

  afterEach(async () => {
    await test.drop();
  });

  const open = () => ConsistentSnapshot.open(MYSQL_URL, test.name, { queuedCommands: false });

  it('pages a composite key in the server order, every row once, whatever the ids', async () => {
    const ids = ['a', 'a-1', 'a_1', 'B', 'b', 'é', 'z'.repeat(100), '0', '~'];
    const rows = ['application', 'saga', 'student'].flatMap((kind) =>
      Array.from({ length: 350 }, (_, i) => ({ kind, aggregate_id: `${ids[i % ids.length]}/${i}`, position: i, cold: i % 2 === 0, state: `{"i":${i}}` })),
    );
    for (let i = 0; i < rows.length; i += 200) await test.db.insertInto('aggregate_snapshots').values(rows.slice(i, i + 200)).execute();
    const snapshot = await open();
    try {
      expect(snapshot.tables.find((t) => t.name === 'aggregate_snapshots')).toMatchObject({ key: ['kind', 'aggregate_id'], rows: 1050 });
      const { rows: read, pages } = await readAll(snapshot, 'aggregate_snapshots');
      expect(pages.length).toBeGreaterThan(2);
      const expected = await queryRows(test.name, 'SELECT kind, aggregate_id, position, cold, state FROM aggregate_snapshots ORDER BY kind, aggregate_id');
      expect(read).toEqual(expected.map((r) => [r.kind, r.aggregate_id, Number(r.position), Number(r.cold), r.state]));
    } finally {
      await snapshot.close();
    }
  });

  it('holds few large rows per page, so memory does not grow with the rows', async () => {
    const value = 'x'.repeat(1024 * 1024);
    for (let slot = 1; slot <= 24; slot++) await writeChosenRows(test.db, [{ slot, value: `${slot}${value}` }]);
    const snapshot = await open();
    try {
      const { rows, pages } = await readAll(snapshot, 'paxos_chosen');
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      expect(Math.max(...pages)).toBeLessThanOrEqual(16);
      expect(pages.slice(1).every((n) => n <= 8)).toBe(true);
      expect(snapshot.position).toMatchObject({ chosenWatermark: 24, appliedSlot: 24, eventPosition: 0 });
    } finally {
      await snapshot.close();
    }
  });

  it('never reads the acceptor tables or the node bookkeeping, and names the tables it does not know', async () => {
    await test.db.insertInto('paxos_promise').values({ id: 1, round: 4, node_id: 'n2' }).execute();
    await test.db.insertInto('paxos_accepted').values({ slot: 1, ballot_round: 4, ballot_node: 'n2', value: '{}' }).execute();
    await sql`CREATE TABLE node_local_extra (id INT PRIMARY KEY, note BIGINT NOT NULL)`.execute(test.db);
    const snapshot = await open();
    try {
      const names = snapshot.tables.map((t) => t.name);
      for (const table of ['paxos_promise', 'paxos_accepted', 'paxos_meta', 'kysely_migration', 'node_identity', 'node_local_extra', 'queued_commands']) expect(names).not.toContain(table);
      expect(names).toEqual(expect.arrayContaining(['paxos_chosen', 'event_log', 'applied_commands', 'students', 'aggregate_snapshots']));
      expect(snapshot.notCopied).toEqual(['node_local_extra', 'queued_commands']);
    } finally {
      await snapshot.close();
    }
  });

  it('refuses a log that is not a clean prefix: a gap in the chosen log, events past it, checkpoints past the events', async () => {
    await writeChosenRows(test.db, [{ slot: 1, value: '{}' }, { slot: 3, value: '{}' }]);
    await expect(open()).rejects.toThrow(/chosen log has gaps: 2 stored slots up to slot 3/);
    await test.db.deleteFrom('paxos_accepted').where('slot', '=', 3).execute();
    await expect(open()).rejects.toThrow(/the chosen watermark 3 is not the last stored chosen slot 1/);
    await writeChosenRows(test.db, [], 1);
    const event = { position: 1, slot: 2, command_id: 'c', command_index: 0, stream_type: 'student', stream_id: 's', stream_version: 1, type: 'StudentRegistered', schema_version: 1, data: '{}', metadata: '{}' };
    await test.db.insertInto('event_log').values(event).execute();
    await expect(open()).rejects.toThrow(/events of slot 2, above the chosen log's last slot 1/);
    await test.db.updateTable('event_log').set({ slot: 1 }).execute();
    await test.db.insertInto('projection_checkpoints').values({ name: 'read-models', position: 2 }).execute();
    await expect(open()).rejects.toThrow(SnapshotSourceError);
    await test.db.updateTable('projection_checkpoints').set({ position: 1 }).execute();
    const snapshot = await open();
    await snapshot.close();
    expect(snapshot.position).toMatchObject({ chosenWatermark: 1, eventPosition: 1 });
  });
});
