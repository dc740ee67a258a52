import { randomUUID } from 'node:crypto';
import type { ChosenEntry, ClientValue } from '../../../src/consensus/value';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import { EventStore } from '../../../src/infra/mysql/event-store';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { type TestDatabase, createTestDatabase } from '../mysql/test-database';
import { randomJwtSecret } from '../../support/jwt-secret';

/** A value as LogAppendHandler builds it from a body `{stream, data}`. */
function logAppend(stream: string, data: unknown): ClientValue {
  const payload = JSON.stringify({ events: [{ streamType: 'log', streamId: stream, type: 'RecordAppended', schemaVersion: 1, data }] });
  return { id: randomUUID(), payload };
}

/** Slots cut as the leader cuts them (takeBatch: batchCommandsMax, batchBytesMax in UTF-16 units). */
function slotsOf(values: ClientValue[], first: number, batchBytesMax: number, batchCommandsMax: number): ChosenEntry[] {
  const out: ChosenEntry[] = [];
  let rest = values;
  while (rest.length > 0) {
    const batch: ClientValue[] = [];
    let bytes = 0;
    for (const v of rest) {
      const size = v.id.length + v.payload.length;
      if (batch.length >= batchCommandsMax || (batch.length > 0 && bytes + size > batchBytesMax)) break;
      batch.push(v);
      bytes += size;
    }
    rest = rest.slice(batch.length);
    out.push({ slot: first + out.length, value: { kind: 'batch', values: batch } });
  }
  return out;
}

describe('review: the write loop stores a batch of chosen slots in one CALL', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await createTestDatabase();
  });
  afterEach(() => test.drop());

  it.each([
    ['ASCII text with quotes, 256 slots (WRITE_BATCH_SLOTS_MAX)', '"'.repeat(8000), 256],
    ['CJK text, 256 slots (WRITE_BATCH_SLOTS_MAX)', '中'.repeat(5400), 64 * 4],
  ])('stores %s of legal 16 KiB log appends', async (_name, data, slots) => {
    const { consensus } = nodeConfigFromEnv({ NODE_ID: 'n1', JWT_SECRET: randomJwtSecret() });
    expect(Buffer.byteLength(JSON.stringify({ stream: 's', data }))).toBeLessThanOrEqual(16 * 1024);
    const perSlot = Math.max(1, Math.floor(consensus.batchBytesMax / (36 + logAppend('s', data).payload.length)));
    const values = Array.from({ length: slots * perSlot }, () => logAppend('s', data));
    const entries = slotsOf(values, 1, consensus.batchBytesMax, consensus.batchCommandsMax);
    expect(entries).toHaveLength(slots);
    const store = new EventStore(test.db);
    await store.load();
    const batch = await store.plan(entries);
    // the driver's write loop calls store() with what it took from its queue; a failure
    // rebuilds the replica, which re-learns and replans the same slots: the same call again
    await expect(store.store([batch])).resolves.toBeUndefined();
    expect((await new MysqlAcceptorStorage(test.db).load()).chosenWatermark).toBe(slots);
  });
});
