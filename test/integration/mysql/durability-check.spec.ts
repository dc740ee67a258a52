import { sql } from 'kysely';
import {
  assertDurable,
  readDurabilitySettings,
  UnsafeDurabilityError,
} from '../../../src/infra/mysql/durability-check';
import { createTestDatabase, type TestDatabase } from './test-database';

describe('assertDurable', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await test.drop();
  });

  it('accepts innodb_flush_log_at_trx_commit=1', async () => {
    expect((await readDurabilitySettings(test.db)).innodbFlushLogAtTrxCommit).toBe(1);
    const warnings = await assertDurable(test.db, { unsafe: false });
    expect(warnings.filter((w) => w.includes('innodb_flush_log_at_trx_commit'))).toEqual([]);
  });

  it('refuses a weaker setting, and only warns when told the run is a throwaway', async () => {
    const before = (await readDurabilitySettings(test.db)).innodbFlushLogAtTrxCommit;
    try {
      await sql`SET GLOBAL innodb_flush_log_at_trx_commit = 2`.execute(test.db);
      const refusal = assertDurable(test.db, { unsafe: false });
      await expect(refusal).rejects.toBeInstanceOf(UnsafeDurabilityError);
      await expect(refusal).rejects.toThrow('innodb_flush_log_at_trx_commit is 2, but Paxos needs 1');
      const warnings = await assertDurable(test.db, { unsafe: true });
      expect(warnings.some((w) => w.startsWith('unsafe durability allowed'))).toBe(true);
    } finally {
      await sql`SET GLOBAL innodb_flush_log_at_trx_commit = ${sql.lit(before)}`.execute(test.db);
    }
    expect((await readDurabilitySettings(test.db)).innodbFlushLogAtTrxCommit).toBe(before);
  });
});
