import { type NatsConnection, headers } from 'nats';
import { ConfigError } from '../../../src/consensus/config';
import type { Message } from '../../../src/consensus/messages';
import { connectNats, inboxPrefixFor } from '../../../src/infra/nats/connection';
import { NatsProtocolTransport, type ProtocolTransportOptions } from '../../../src/infra/nats/protocol-transport';
import { AssertionError } from '../../../src/shared/assert';
import { exampleMessages } from '../../unit/nats/message-arbitraries';
import { NATS_URL, type TestNode, memoryLog, startNode, stopNodes, uniqueCluster, waitFor } from './nats-test-support';

const members = ['n1', 'n2', 'n3'];
const maxBytes = 4096;
const enc = new TextEncoder();

describe('NatsProtocolTransport against the real NATS', () => {
  let cluster: string;
  let n1: TestNode | undefined;
  let n2: TestNode | undefined;
  let raw: NatsConnection | undefined;
  const opts = (self: string): ProtocolTransportOptions => ({ cluster, self, members, maxBytes });

  beforeEach(async () => {
    cluster = uniqueCluster();
    n1 = await startNode(opts('n1'));
    n2 = await startNode(opts('n2'));
    raw = await connectNats({ url: NATS_URL, name: 'test-raw', inboxPrefix: inboxPrefixFor('test'), log: () => undefined });
  });

  afterEach(async () => {
    await stopNodes([n1, n2]);
    if (raw && !raw.isClosed()) await raw.close();
  });

  it('delivers every message type both ways, intact', async () => {
    const toN2 = exampleMessages('n1', 'n2');
    const toN1 = exampleMessages('n2', 'n1');
    n1!.transport.send(toN2);
    n2!.transport.send(toN1);
    await waitFor(`both sides to receive ${toN2.length} messages`, () => n1!.received.length === toN2.length && n2!.received.length === toN1.length);
    expect(n2!.received).toEqual(toN2); // one publisher, one connection: order is kept
    expect(n1!.received).toEqual(toN1);
    expect(Object.values(n1!.transport.dropped()).every((n) => n === 0)).toBe(true);
  });

  it('drops and counts garbage on its protocol subjects, and never calls the handler with it', async () => {
    const on = (from: string, type: string): string => `paxos.${cluster}.${from}.n1.${type}`;
    const phase2b = { type: 'Phase2b', ballot: { round: 1, nodeId: 'n1' }, slot: 1 };
    const garbage: [string, Uint8Array][] = [
      [on('n2', 'Phase2b'), enc.encode('{not json')],
      [on('n2', 'Phase2b'), new Uint8Array([0xc3, 0x28])], // invalid UTF-8
      [on('n2', 'Phase2b'), enc.encode(JSON.stringify({ ...phase2b, slot: '1' }))],
      [on('n2', 'Phase2b'), enc.encode(JSON.stringify({ ...phase2b, ballot: { round: -1, nodeId: 'n1' } }))],
      [on('n2', 'Phase2b'), enc.encode(JSON.stringify({ ...phase2b, from: 'n3' }))], // forging a sender in the body
      [
        on('n2', 'Phase2a'),
        enc.encode(
          JSON.stringify({
            type: 'Phase2a',
            ballot: { round: 9, nodeId: 'n3' },
            slot: 1,
            value: { kind: 'noop' },
            chosenWatermark: 0,
          }),
        ),
      ],
      [on('n2', 'Phase2b'), enc.encode(JSON.stringify({ ...phase2b, pad: 'x'.repeat(maxBytes) }))],
      [on('n1', 'Phase2b'), enc.encode(JSON.stringify(phase2b))], // claims to be the recipient itself
      [on('n2', 'Phase9'), enc.encode(JSON.stringify({ ...phase2b, type: 'Phase9' }))],
      [on('n2', 'Phase1a'), enc.encode(JSON.stringify(phase2b))], // subject and body disagree
      [on('n2', 'Propose'), enc.encode('null')],
      [on('n2', 'Propose'), new Uint8Array(0)],
    ];
    for (const [subject, data] of garbage) raw!.publish(subject, data);
    const sentinel: Message = { type: 'Phase2b', from: 'n2', to: 'n1', ballot: { round: 1, nodeId: 'n1' }, slot: 99, incarnation: 'founding' };
    n2!.transport.send([sentinel]);
    await waitFor(
      'the sentinel and all garbage',
      () => n1!.received.length === 1 && n1!.transport.receivedCount() === garbage.length + 1,
    );
    expect(n1!.received).toEqual([sentinel]);
    expect(n1!.transport.dropped()).toEqual({
      version: 0,
      'too-large': 1,
      'bad-json': 3,
      'unknown-type': 1,
      'bad-field': 6,
      'unknown-sender': 1,
      'wrong-recipient': 0,
      'wrong-cluster': 0,
      'handler-error': 0,
    });
  });

  it('sends its protocol version in a header, reads a message without one as version 1, and drops, counts and logs an unknown version', async () => {
    const memory = memoryLog();
    const n3 = await startNode({ ...opts('n3'), log: memory.log });
    try {
      const wire: (string | undefined)[] = [];
      const spy = raw!.subscribe(`paxos.${cluster}.n2.n3.>`, { callback: (_e, m) => wire.push(m.headers?.get('Protocol-Version')) });
      await raw!.flush();
      const versioned = (v: string) => {
        const h = headers();
        h.set('Protocol-Version', v);
        return { headers: h };
      };
      const body = (slot: number) => enc.encode(JSON.stringify({ type: 'Phase2b', ballot: { round: 1, nodeId: 'n3' }, slot }));
      const subject = `paxos.${cluster}.n2.n3.Phase2b`;
      raw!.publish(subject, body(1), versioned('2'));
      raw!.publish(subject, body(2), versioned('999'));
      raw!.publish(subject, body(3), versioned('one'));
      raw!.publish(subject, body(4)); // a release before versions sends no header
      raw!.publish(subject, body(5), versioned('1'));
      n2!.transport.send([{ type: 'Phase2b', from: 'n2', to: 'n3', ballot: { round: 1, nodeId: 'n3' }, slot: 6, incarnation: 'founding' }]);
      await waitFor('six messages at n3', () => n3.transport.receivedCount() === 6 && wire.length === 6);
      spy.unsubscribe();
      // NATS keeps the order of one connection's messages only: n2's may come before the raw ones.
      expect(n3.received.map((m) => (m as { slot: number }).slot).sort((a, b) => a - b)).toEqual([4, 5, 6]);
      expect(n3.transport.dropped().version).toBe(3);
      // The raw connection sent one version 1 header and one message without any: the other `1` is n2's.
      expect(wire.map(String).sort()).toEqual(['1', '1', '2', '999', 'one', 'undefined']);
      // Logged at the 1st drop (then the 10th, 100th, ...): the log cannot be flooded.
      const logged = memory.lines.filter((l) => l.includes('(version,'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^warn dropped protocol message \(version, 1 so far\): .*protocol version 2; this node speaks 1/);
    } finally {
      await stopNodes([n3]);
    }
  });

  it('counts a throwing handler and keeps delivering', async () => {
    const n3 = await startNode(opts('n3'));
    try {
      const seen: number[] = [];
      const node = new NatsProtocolTransport(n3.nc, opts('n3'));
      n3.transport.close();
      node.start((msg) => {
        if (msg.type !== 'Phase2b') return;
        seen.push(msg.slot);
        if (msg.slot % 2 === 0) throw new Error(`handler fails on slot ${msg.slot}`);
      });
      await n3.nc.flush();
      const msgs: Message[] = [1, 2, 3, 4, 5].map((slot) => ({
        type: 'Phase2b',
        from: 'n1',
        to: 'n3',
        ballot: { round: 1, nodeId: 'n3' },
        slot,
        incarnation: 'founding',
      }));
      n1!.transport.send(msgs);
      await waitFor('five deliveries', () => seen.length === 5);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      expect(node.dropped()['handler-error']).toBe(2);
      node.close();
    } finally {
      await stopNodes([n3]);
    }
  });

  it('refuses to send to itself or as another node, and counts what it cannot send', () => {
    const [phase1a] = exampleMessages('n1', 'n2');
    expect(() => n1!.transport.send([{ ...phase1a!, to: 'n1' }])).toThrow(AssertionError);
    expect(() => n1!.transport.send([{ ...phase1a!, from: 'n2' }])).toThrow(AssertionError);
    const huge: Message = {
      type: 'Propose',
      from: 'n1',
      to: 'n2',
      values: [{ id: 'x', payload: 'y'.repeat(maxBytes) }],
    };
    n1!.transport.send([huge]);
    expect(n1!.transport.sendFailed()).toEqual({ 'too-large': 1, 'publish-failed': 0 });
  });

  it('counts publishes on a closed connection instead of throwing', async () => {
    await n1!.nc.close();
    n1!.transport.send(exampleMessages('n1', 'n2').slice(0, 2));
    expect(n1!.transport.sendFailed()['publish-failed']).toBe(2);
  });

  it('stops delivering after close', async () => {
    n2!.transport.close();
    n2!.transport.close(); // idempotent
    n1!.transport.send(exampleMessages('n1', 'n2'));
    await n1!.nc.flush();
    await n2!.nc.flush();
    expect(n2!.received).toEqual([]);
  });

  it('refuses nonsense options', () => {
    const nc = n1!.nc;
    const bad: Partial<ProtocolTransportOptions>[] = [
      { cluster: 'a.b' },
      { cluster: '*' },
      { self: 'n.9' },
      { members: ['n1', 'n1'] },
      { members: ['n1', 'n.2'] },
      { maxBytes: 0 },
      { maxBytes: 1.5 },
      { maxBytes: (nc.info?.max_payload ?? 1 << 20) + 1 },
    ];
    for (const patch of bad)
      expect(() => new NatsProtocolTransport(nc, { ...opts('n1'), ...patch })).toThrow(ConfigError);
  });

  it('does not hear another cluster', async () => {
    const other = await startNode({ ...opts('n2'), cluster: uniqueCluster() });
    try {
      n1!.transport.send(exampleMessages('n1', 'n2'));
      await waitFor('n2 of this cluster', () => n2!.received.length === exampleMessages('n1', 'n2').length);
      await other.nc.flush();
      expect(other.received).toEqual([]);
      expect(other.transport.receivedCount()).toBe(0);
    } finally {
      await stopNodes([other]);
    }
  });
});
