import type { Message } from '../../../src/consensus/messages';
import type { ProtocolTransportOptions } from '../../../src/infra/nats/protocol-transport';
import { type TestNode, startNode, stopNodes, uniqueCluster, waitFor } from './nats-test-support';

const members = ['n1', 'n2', 'n3'];
const ROUND_TRIPS = 10_000;
/** Only stops a hang: the figures are printed, the bench (`npm run bench`) is where speed is judged. */
const HANG_MS = 240_000;

/**
 * Phase2a -> Phase2b round trips between two transports on separate connections: every Phase2a
 * sent is answered exactly once, for its own slot, with nothing dropped. The rates are printed.
 */
describe('NatsProtocolTransport throughput (real NATS)', () => {
  let n1: TestNode | undefined;
  let n2: TestNode | undefined;
  let replies = 0;
  /** How many Phase2b arrived per slot. */
  let repliedSlots = new Map<number, number>();
  let onReply: (slot: number) => void = () => undefined;

  beforeAll(async () => {
    const cluster = uniqueCluster();
    const opts = (self: string): ProtocolTransportOptions => ({ cluster, self, members, maxBytes: 1 << 20 });
    // Acceptor n2 answers every Phase2a at once; leader n1 counts the Phase2b.
    n1 = await startNode(opts('n1'), {
      onMessage: (msg, node) => {
        node.received.length = 0; // keep no history of the messages themselves
        if (msg.type !== 'Phase2b') return;
        replies++;
        repliedSlots.set(msg.slot, (repliedSlots.get(msg.slot) ?? 0) + 1);
        onReply(msg.slot);
      },
    });
    n2 = await startNode(opts('n2'), {
      onMessage: (msg, node) => {
        node.received.length = 0;
        if (msg.type === 'Phase2a')
          node.transport.send([{ type: 'Phase2b', from: 'n2', to: 'n1', ballot: msg.ballot, slot: msg.slot , incarnation: 'founding'}]);
      },
    });
  });

  afterAll(() => stopNodes([n1, n2]));

  const phase2a = (slot: number): Message => ({
    type: 'Phase2a',
    from: 'n1',
    to: 'n2',
    ballot: { round: 1, nodeId: 'n1' },
    slot,
    value: { kind: 'batch', values: [{ id: `cmd-${slot}`, payload: '{"type":"ScoreModified","delta":1}' }] },
    chosenWatermark: slot - 1,
  });

  function reset(): void {
    replies = 0;
    repliedSlots = new Map();
  }

  /** Every slot 1..count answered exactly once, and no transport dropped anything. */
  function expectEachAnsweredOnce(count: number): void {
    expect(replies).toBe(count);
    expect(repliedSlots.size).toBe(count);
    expect([...repliedSlots].filter(([slot, n]) => n !== 1 || slot < 1 || slot > count)).toEqual([]);
    expect(n1!.transport.dropped()).toEqual(n2!.transport.dropped());
    expect(Object.values(n1!.transport.dropped()).every((n) => n === 0)).toBe(true);
  }

  it(`answers each of ${ROUND_TRIPS} Phase2a sent as one burst exactly once`, async () => {
    reset();
    const started = process.hrtime.bigint();
    n1!.transport.send(Array.from({ length: ROUND_TRIPS }, (_, i) => phase2a(i + 1)));
    await waitFor('all replies', () => replies >= ROUND_TRIPS, HANG_MS, 1);
    report('burst', started);
    expectEachAnsweredOnce(ROUND_TRIPS);
  }, HANG_MS + 10_000);

  it(`answers each of ${ROUND_TRIPS} Phase2a sent with 64 in flight exactly once, never more than 64 outstanding`, async () => {
    reset();
    let next = 1;
    let outstandingMax = 0;
    const sendOne = (): void => {
      n1!.transport.send([phase2a(next++)]);
      outstandingMax = Math.max(outstandingMax, next - 1 - replies);
    };
    onReply = () => {
      if (next <= ROUND_TRIPS) sendOne();
    };
    const started = process.hrtime.bigint();
    for (let i = 0; i < 64; i++) sendOne();
    await waitFor('all replies', () => replies >= ROUND_TRIPS, HANG_MS, 1);
    onReply = () => undefined;
    report('window 64', started);
    expectEachAnsweredOnce(ROUND_TRIPS);
    expect(outstandingMax).toBe(64);
  }, HANG_MS + 10_000);

  it('answers one round trip at a time with the slot sent, in order', async () => {
    reset();
    const samples: number[] = [];
    const answered: number[] = [];
    for (let slot = 1; slot <= 2000; slot++) {
      const t = process.hrtime.bigint();
      const replied = new Promise<number>((resolve) => (onReply = resolve));
      n1!.transport.send([phase2a(slot)]);
      answered.push(await replied);
      samples.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    onReply = () => undefined;
    samples.sort((a, b) => a - b);
    const at = (q: number): string => samples[Math.floor(q * samples.length)]!.toFixed(0);
    console.log(`one at a time: p50 ${at(0.5)} us, p99 ${at(0.99)} us`);
    expect(answered).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expectEachAnsweredOnce(2000);
  }, HANG_MS);

  function report(what: string, started: bigint): void {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `${what}: ${ROUND_TRIPS} round trips in ${ms.toFixed(0)} ms = ${((ROUND_TRIPS / ms) * 1000).toFixed(0)} round trips/s`,
    );
  }
});
