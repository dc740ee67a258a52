import { sql } from 'kysely';
import { createDatabase } from '../../../src/infra/mysql/database';
import { migrateToLatest } from '../../../src/infra/mysql/migrate';
import { MIGRATIONS } from '../../../src/infra/mysql/migrations';
import { createTestDatabase, MYSQL_URL, type TestDatabase } from './test-database';

describe('migrateToLatest', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await test.drop();
  });

  it('runs every migration once; running again is a no-op', async () => {
    const ran = await migrateToLatest(test.db);
    expect(ran).toEqual(Object.keys(MIGRATIONS).sort());
    expect(ran[0]).toBe('0001_paxos_acceptor');
    expect(await migrateToLatest(test.db)).toEqual([]);
  });

  it('creates the acceptor tables on InnoDB with utf8mb4', async () => {
    const { rows } = await sql<{ TABLE_NAME: string; ENGINE: string; TABLE_COLLATION: string }>`
      SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ${test.name} AND TABLE_NAME LIKE 'paxos\\_%' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`.execute(test.db);
    expect(rows.map((r) => r.TABLE_NAME)).toEqual(['paxos_accepted', 'paxos_meta', 'paxos_promise']);
    for (const row of rows) {
      expect(row.ENGINE).toBe('InnoDB');
      expect(row.TABLE_COLLATION).toBe('utf8mb4_bin');
    }
  });

  it('keeps the chosen log as a view of the log table, not a copy (migration 0016)', async () => {
    const { rows } = await sql<{ TABLE_TYPE: string }>`
      SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${test.name} AND TABLE_NAME = 'paxos_chosen'`.execute(test.db);
    expect(rows).toEqual([{ TABLE_TYPE: 'VIEW' }]);
  });

  it('keeps the promise table to a single row', async () => {
    await expect(
      sql`INSERT INTO paxos_promise (id, round, node_id) VALUES (2, 1, 'n1')`.execute(test.db),
    ).rejects.toThrow(/paxos_promise_single_row/);
  });

  it('creating an existing database again is harmless', async () => {
    await expect(createDatabase(MYSQL_URL, test.name)).resolves.toBeUndefined();
    expect(await migrateToLatest(test.db)).toEqual([]);
  });
});
