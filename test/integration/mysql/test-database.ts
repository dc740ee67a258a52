import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { createDatabase, createKysely, type Database } from '../../../src/infra/mysql/database';
import { migrateToLatest } from '../../../src/infra/mysql/migrate';
import { parseMysqlUrl } from '../../../src/infra/mysql/mysql-url';

/** The server the integration tests use; override with MYSQL_URL. */
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** A throwaway database of one test file, dropped by `drop()`. */
export interface TestDatabase {
  readonly name: string;
  readonly db: Kysely<Database>;
  drop(): Promise<void>;
}

/** Creates `behavior_test_<random>`, optionally migrated, with a small pool on it. */
export async function createTestDatabase(options: { migrate: boolean } = { migrate: true }): Promise<TestDatabase> {
  const name = `behavior_test_${randomBytes(6).toString('hex')}`;
  await createDatabase(MYSQL_URL, name);
  const db = createKysely(MYSQL_URL, name, 4);
  if (options.migrate) await migrateToLatest(db);
  return {
    name,
    db,
    drop: async () => {
      await db.destroy();
      await dropDatabase(name);
    },
  };
}

/** Drops a test database; only test code drops databases. */
export async function dropDatabase(name: string): Promise<void> {
  const connection = await createConnection({ ...parseMysqlUrl(MYSQL_URL), database: undefined });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

/** Empties the acceptor tables between tests of one file. */
export async function clearPaxosTables(db: Kysely<Database>): Promise<void> {
  for (const table of ['paxos_promise', 'paxos_accepted', 'paxos_meta'] as const) {
    await db.deleteFrom(table).execute();
  }
}

/**
 * Writes rows of the chosen log as a store does (migration 0016): into the log table with
 * ballot zero, and the chosen watermark moved to `watermark` (the last row's slot by default).
 */
export async function writeChosenRows(db: Kysely<Database>, rows: readonly { slot: number; value: string }[], watermark = rows[rows.length - 1]?.slot ?? 0): Promise<void> {
  if (rows.length > 0) {
    await db
      .insertInto('paxos_accepted')
      .values(rows.map((r) => ({ slot: r.slot, ballot_round: 0, ballot_node: '', value: r.value })))
      .onDuplicateKeyUpdate({ value: sql<string>`VALUES(value)` })
      .execute();
  }
  await db.insertInto('paxos_meta').values({ name: 'chosen_watermark', value: watermark }).onDuplicateKeyUpdate({ value: watermark }).execute();
}
