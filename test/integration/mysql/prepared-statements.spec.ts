import { sql } from 'kysely';
import { executePrepared } from '../../../src/infra/mysql/prepared-statements';
import { createTestDatabase, type TestDatabase } from './test-database';

const tricky = `{"a":"q\\"uote","b":'single',"c":"back\\\\slash","nul":"\u0000","u":"ä ✓ 🎓","nl":"\n\r\t"}`;

describe('executePrepared', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test.drop();
  });

  it('runs a marked query as a server-side prepared statement', async () => {
    const executed = async (): Promise<number> => {
      const { rows } = await sql<{ Value: string }>`SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'`.execute(test.db);
      return Number(rows[0].Value);
    };
    const before = await executed();
    await executePrepared(test.db, test.db.insertInto('paxos_accepted').values({ slot: 1, ballot_round: 1, ballot_node: 'n1', value: tricky }));
    expect(await executed()).toBeGreaterThan(before);
  });

  it('stores text exactly, and reports duplicates like the text protocol', async () => {
    const big = tricky.repeat(20_000);
    await executePrepared(test.db, test.db.insertInto('paxos_accepted').values({ slot: 2, ballot_round: 1, ballot_node: 'n1', value: big }));
    const row = await test.db
      .selectFrom('paxos_accepted')
      .select('value')
      .where('slot', '=', 2)
      .executeTakeFirstOrThrow();
    expect(row.value).toBe(big);
    await expect(
      executePrepared(test.db, test.db.insertInto('paxos_accepted').values({ slot: 2, ballot_round: 1, ballot_node: 'n1', value: 'x' })),
    ).rejects.toMatchObject({
      code: 'ER_DUP_ENTRY',
    });
  });

  it('leaves unmarked queries, transactions and streams to the text protocol as before', async () => {
    await test.db.transaction().execute(async (trx) => {
      await trx.insertInto('paxos_meta').values({ name: 'n', value: 7 }).execute();
    });
    const streamed: number[] = [];
    for await (const row of test.db.selectFrom('paxos_meta').select('value').stream()) streamed.push(row.value);
    expect(streamed).toEqual([7]);
  });
});
