import type { Ballot } from '../../../src/consensus/ballot';
import type { Ready } from '../../../src/consensus/ready';
import type { SlotValue } from '../../../src/consensus/value';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import { createTestDatabase, type TestDatabase } from './test-database';

// Not a benchmark gate: it shows what one durable persist costs on this machine (mostly the
// redo-log flush of each commit), and that group commit amortises it.
const PERSISTS = 1000;
const ballot: Ballot = { round: 1, nodeId: 'n1' };
const value = (slot: number): SlotValue => ({
  kind: 'batch',
  values: [{ id: `cmd-${slot}`, payload: `{"studentId":"s${slot}","delta":1}` }],
});

describe('persist latency (real MariaDB, fsync per commit)', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test.drop();
  });

  it(`${PERSISTS} sequential persists of one accepted entry`, async () => {
    const storage = new MysqlAcceptorStorage(test.db);
    const ms = await timed(async () => {
      for (let slot = 1; slot <= PERSISTS; slot++) {
        await storage.persist(ready({ accepted: [{ slot, ballot, value: value(slot) }] }));
      }
    });
    report(`${PERSISTS} persists x 1 accept`, ms, PERSISTS);
    expect((await storage.load()).accepted).toHaveLength(PERSISTS);
  });

  it(`${PERSISTS} sequential persists of one accept and one chosen entry`, async () => {
    const storage = new MysqlAcceptorStorage(test.db);
    const base = 10_000;
    const ms = await timed(async () => {
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
    expect((await storage.load()).chosenWatermark).toBe(PERSISTS);
  });

  it('group commit: 100 persists of 64 accepts each', async () => {
    const storage = new MysqlAcceptorStorage(test.db);
    const base = 100_000;
    const ms = await timed(async () => {
      for (let i = 0; i < 100; i++) {
        const accepted = Array.from({ length: 64 }, (_, k) => ({ slot: base + i * 64 + k, ballot, value: value(k) }));
        await storage.persist(ready({ accepted }));
      }
    });
    report('100 persists x 64 accepts', ms, 100);
  });

  it('20 persists of one large slot (512 commands, ~150 kB of JSON) accepted and chosen', async () => {
    const storage = new MysqlAcceptorStorage(test.db);
    const base = 1_000_000;
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
    const ms = await timed(async () => {
      for (let i = 0; i < 20; i++) {
        await storage.persist(
          ready({ accepted: [{ slot: base + i, ballot, value: large }], chosen: [{ slot: base + i, value: large }] }),
        );
      }
    });
    report('20 persists x 1 large slot (accept + chosen)', ms, 20);
  });
});

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
