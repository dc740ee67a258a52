import { type Kysely, sql } from 'kysely';
import type { Ballot } from '../../../src/consensus/ballot';
import type { Ready } from '../../../src/consensus/ready';
import type { SlotValue } from '../../../src/consensus/value';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import { type Database, createKysely } from '../../../src/infra/mysql/database';
import { MYSQL_URL, createTestDatabase, type TestDatabase } from './test-database';

// Not a benchmark gate: it prints what one durable persist costs on this machine (mostly the
// redo-log flush of each commit) and asserts, from the server's own counters of the storage's
// connection, that each persist is one commit (a lone accept statement autocommits, anything more
// is one explicit transaction), so group commit merges many accepts into one commit.
const PERSISTS = 1000;
const ballot: Ballot = { round: 1, nodeId: 'n1' };
const value = (slot: number): SlotValue => ({
  kind: 'batch',
  values: [{ id: `cmd-${slot}`, payload: `{"studentId":"s${slot}","delta":1}` }],
});

describe('persist latency (real MariaDB, fsync per commit)', () => {
  let test: TestDatabase;
  /** One connection: its session counters count exactly the storage's statements and commits. */
  let db: Kysely<Database>;
  let storage: MysqlAcceptorStorage;

  beforeAll(async () => {
    test = await createTestDatabase();
    db = createKysely(MYSQL_URL, test.name, 1);
    storage = new MysqlAcceptorStorage(db);
  });
  afterAll(async () => {
    await db.destroy();
    await test.drop();
  });

  /**
   * Runs `work` and answers what the server counted on the storage's connection: `transactions`
   * (explicit COMMITs) and `engineCommits` (every commit in InnoDB: an autocommitted statement is
   * one, a transaction one per statement plus its COMMIT).
   */
  async function commitsOf(work: () => Promise<void>): Promise<{ transactions: number; engineCommits: number; ms: number }> {
    const before = await sessionCounters(db);
    const ms = await timed(work);
    const after = await sessionCounters(db);
    return { transactions: after.Com_commit - before.Com_commit, engineCommits: after.Handler_commit - before.Handler_commit, ms };
  }

  it(`${PERSISTS} sequential persists of one accepted entry: one autocommitted statement each`, async () => {
    const { transactions, engineCommits, ms } = await commitsOf(async () => {
      for (let slot = 1; slot <= PERSISTS; slot++) {
        await storage.persist(ready({ accepted: [{ slot, ballot, value: value(slot) }] }));
      }
    });
    report(`${PERSISTS} persists x 1 accept`, ms, PERSISTS);
    expect({ transactions, engineCommits }).toEqual({ transactions: 0, engineCommits: PERSISTS });
    expect((await storage.load()).accepted).toHaveLength(PERSISTS);
  });

  it(`${PERSISTS} sequential persists of one accept and one chosen entry: one transaction each, both stored`, async () => {
    const base = 10_000;
    const { transactions, ms } = await commitsOf(async () => {
      for (let slot = 1; slot <= PERSISTS; slot++) {
        await storage.persist(
          ready({
            accepted: [{ slot: base + slot, ballot, value: value(slot) }],
            chosen: [{ slot, value: value(slot) }],
          }),
        );
      }
    });
    report(`${PERSISTS} persists x (1 accept + 1 chosen)`, ms, PERSISTS);
    expect(transactions).toBe(PERSISTS);
    const state = await storage.load();
    expect(state.chosenWatermark).toBe(PERSISTS);
    expect(state.accepted.filter((a) => a.slot > base && a.slot <= base + PERSISTS)).toHaveLength(PERSISTS);
  });

  it('group commit: 100 persists of 64 accepts each are 100 commits for 6400 accepts', async () => {
    const base = 100_000;
    const { transactions, engineCommits, ms } = await commitsOf(async () => {
      for (let i = 0; i < 100; i++) {
        const accepted = Array.from({ length: 64 }, (_, k) => ({ slot: base + i * 64 + k, ballot, value: value(k) }));
        await storage.persist(ready({ accepted }));
      }
    });
    report('100 persists x 64 accepts', ms, 100);
    const stored = (await storage.load()).accepted.filter((a) => a.slot >= base && a.slot < base + 6400);
    expect(stored).toHaveLength(6400);
    expect({ transactions, engineCommits }).toEqual({ transactions: 0, engineCommits: 100 });
    expect(engineCommits).toBeLessThan(stored.length);
  });

  it('20 persists of one large slot (512 commands, ~150 kB of JSON) accepted and chosen: one transaction each, values intact', async () => {
    // Chosen slots run on from the watermark the tests before left.
    const base = (await storage.load()).chosenWatermark + 1;
    const large: SlotValue = {
      kind: 'batch',
      values: Array.from({ length: 512 }, (_, k) => ({
        id: `cmd-${k}`,
        payload: JSON.stringify({
          type: 'ScoreModified',
          studentId: `s${k}`,
          delta: -2,
          reason: 'late to class "again"',
          actor: 'teacher-17',
        }),
      })),
    };
    const { transactions, ms } = await commitsOf(async () => {
      for (let i = 0; i < 20; i++) {
        await storage.persist(
          ready({ accepted: [{ slot: base + i, ballot, value: large }], chosen: [{ slot: base + i, value: large }] }),
        );
      }
    });
    report('20 persists x 1 large slot (accept + chosen)', ms, 20);
    expect(transactions).toBe(20);
    // Stored once: the chosen log reads the values the accepts wrote.
    const stored = await storage.readChosen(base, 20);
    expect(stored.map((a) => a.slot)).toEqual(Array.from({ length: 20 }, (_, i) => base + i));
    expect(stored.every((a) => JSON.stringify(a.value) === JSON.stringify(large))).toBe(true);
  });
});

/** The session's COMMIT statements and InnoDB commits (of the pool's one connection). */
async function sessionCounters(db: Kysely<Database>): Promise<{ Com_commit: number; Handler_commit: number }> {
  const { rows } = await sql<{ Variable_name: string; Value: string }>`SHOW SESSION STATUS WHERE Variable_name IN ('Com_commit', 'Handler_commit')`.execute(db);
  const value = (name: string): number => Number(rows.find((r) => r.Variable_name === name)?.Value ?? NaN);
  return { Com_commit: value('Com_commit'), Handler_commit: value('Handler_commit') };
}

function ready(parts: Partial<Ready>): Ready {
  return { accepted: [], chosen: [], messages: [], sendFirst: [], ...parts };
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function report(what: string, ms: number, persists: number): void {
  process.stdout.write(
    `[persist-latency] ${what}: ${ms.toFixed(0)} ms total, ${(ms / persists).toFixed(3)} ms per persist\n`,
  );
}
