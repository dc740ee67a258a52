import { consensusConfig } from '../../../src/consensus/config';
import type { Message } from '../../../src/consensus/messages';
import type { ChosenEntry, SlotValue } from '../../../src/consensus/value';
import { type ChosenApplier, ReplicaDriver } from '../../../src/infra/nats/replica-driver';
import { ScriptedTransport, emptyStorage } from './driver-fakes';
import { seededRandom } from '../../../src/shared/random';

const batch = (id: string): SlotValue => ({ kind: 'batch', values: [{ id, payload: '{}' }] });
const catchupReply = (slots: number): Message => ({
  type: 'CatchupReply',
  from: 'n2',
  to: 'n1',
  entries: Array.from({ length: slots }, (_, i) => ({ slot: i + 1, value: batch(`c${i + 1}`) })),
  chosenWatermark: slots,
});

/** A driver whose applier stores only when `release` is called (or never). */
async function driverWithGatedStore(): Promise<{ driver: ReplicaDriver<{ entries: readonly ChosenEntry[] }>; transport: ScriptedTransport; stored: number[]; planned: number[]; release: () => void }> {
  const stored: number[] = [];
  const planned: number[] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const applier: ChosenApplier<{ entries: readonly ChosenEntry[] }> = {
    plan: async (entries) => {
      planned.push(...entries.map((e) => e.slot));
      return { entries };
    },
    store: async (batches) => {
      await gate;
      for (const b of batches) stored.push(...b.entries.map((e) => e.slot));
    },
    written: () => undefined,
    reload: async () => undefined,
  };
  const transport = new ScriptedTransport();
  const driver = new ReplicaDriver({
    config: consensusConfig({ nodeId: 'n1', members: ['n1', 'n2', 'n3'] }),
    random: seededRandom(1),
    storage: emptyStorage,
    transport,
    applier,
    tickMs: 1000,
    maxMessageBytes: 1 << 20,
    log: () => undefined,
  });
  await driver.start();
  return { driver, transport, stored, planned, release: () => open() };
}

/** Polls `done` every 5 ms, for at most 2 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(done()).toBe(true);
}

describe('the replica driver flushes its writes before a stop', () => {
  it('waits until every chosen entry it planned is stored', async () => {
    const { driver, transport, stored, planned, release } = await driverWithGatedStore();
    transport.deliver(catchupReply(40));
    await until(() => planned.length === 40);
    const flushed = driver.flushWrites(5_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(stored).toEqual([]);
    release();
    await flushed;
    expect(stored).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    driver.stop();
  });

  it('gives up at its deadline when a write hangs', async () => {
    const { driver, transport, stored, planned } = await driverWithGatedStore();
    transport.deliver(catchupReply(3));
    await until(() => planned.length === 3);
    const started = Date.now();
    await driver.flushWrites(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stored).toEqual([]);
    driver.stop();
  });
});
