import type { Message } from '../../../src/consensus/messages';
import type { ProtocolTransportOptions } from '../../../src/infra/nats/protocol-transport';
import { type TestNode, startNode, stopNodes, uniqueCluster, waitFor } from './nats-test-support';

const members = ['n1', 'n2', 'n3'];
const ROUND_TRIPS = 10_000;

/** Measures Phase2a -> Phase2b round trips between two transports on separate connections. */
describe('NatsProtocolTransport throughput (real NATS)', () => {
  let n1: TestNode | undefined;
  let n2: TestNode | undefined;
  let replies = 0;
  let onReply: () => void = () => undefined;

  beforeAll(async () => {
    const cluster = uniqueCluster();
    const opts = (self: string): ProtocolTransportOptions => ({ cluster, self, members, maxBytes: 1 << 20 });
    // Acceptor n2 answers every Phase2a at once; leader n1 counts the Phase2b.
    n1 = await startNode(opts('n1'), {
      onMessage: (_msg, node) => {
        node.received.length = 0; // keep no history: this is a measurement
        replies++;
        onReply();
      },
    });
    n2 = await startNode(opts('n2'), {
      onMessage: (msg, node) => {
        node.received.length = 0;
        if (msg.type === 'Phase2a')
          node.transport.send([{ type: 'Phase2b', from: 'n2', to: 'n1', ballot: msg.ballot, slot: msg.slot }]);
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

  it(`completes ${ROUND_TRIPS} round trips sent as one burst`, async () => {
    replies = 0;
    const started = process.hrtime.bigint();
    n1!.transport.send(Array.from({ length: ROUND_TRIPS }, (_, i) => phase2a(i + 1)));
    await waitFor('all replies', () => replies === ROUND_TRIPS, 30_000, 1);
    report('burst', started);
  });

  it(`completes ${ROUND_TRIPS} round trips with 64 in flight`, async () => {
    replies = 0;
    let next = 1;
    const sendOne = (): void => n1!.transport.send([phase2a(next++)]);
    onReply = () => {
      if (next <= ROUND_TRIPS) sendOne();
    };
    const started = process.hrtime.bigint();
    for (let i = 0; i < 64; i++) sendOne();
    await waitFor('all replies', () => replies === ROUND_TRIPS, 30_000, 1);
    onReply = () => undefined;
    report('window 64', started);
  });

  it('measures the latency of one round trip at a time', async () => {
    const samples: number[] = [];
    for (let slot = 1; slot <= 2000; slot++) {
      const t = process.hrtime.bigint();
      const replied = new Promise<void>((resolve) => (onReply = resolve));
      n1!.transport.send([phase2a(slot)]);
      await replied;
      samples.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    onReply = () => undefined;
    samples.sort((a, b) => a - b);
    const at = (q: number): string => samples[Math.floor(q * samples.length)]!.toFixed(0);
    console.log(`one at a time: p50 ${at(0.5)} us, p99 ${at(0.99)} us`);
  });

  function report(what: string, started: bigint): void {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `${what}: ${ROUND_TRIPS} round trips in ${ms.toFixed(0)} ms = ${((ROUND_TRIPS / ms) * 1000).toFixed(0)} round trips/s`,
    );
    expect(n1!.transport.dropped()).toEqual(n2!.transport.dropped());
    expect(Object.values(n1!.transport.dropped()).every((n) => n === 0)).toBe(true);
  }
});
