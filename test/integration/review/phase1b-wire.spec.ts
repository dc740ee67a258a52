import { randomUUID } from 'node:crypto';
import { ballot as mkBallot } from '../../consensus/harness';
import { type Cluster, clientValue, cluster, ofType } from '../../consensus/harness';
import type { Message, Phase1b } from '../../../src/consensus/messages';
import { Replica } from '../../../src/consensus/replica';
import type { SlotValue } from '../../../src/consensus/value';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { decodeMessage, encodeMessage } from '../../../src/infra/nats/protocol-codec';
import { protocolSubject, parseProtocolSubject } from '../../../src/infra/nats/subjects';
import { startNode, uniqueCluster, sleep } from '../nats/nats-test-support';
import { randomJwtSecret } from '../../support/jwt-secret';

function outwaitLeader(h: Cluster, id: string): void {
  h.tick(id, h.config(id).electionTicksMin);
  expect(h.status(id).role).toBe('follower');
}

/** What the receiving node's transport makes of a message (the wire codec, as NatsProtocolTransport runs it). */
function overTheWire(m: Message, members: readonly string[], maxBytes = 1_000_000) {
  const subject = parseProtocolSubject(protocolSubject('c1', m));
  if (!subject) throw new Error('bad subject');
  return decodeMessage(subject, encodeMessage(m), { cluster: 'c1', self: m.to, members, maxBytes });
}

describe('review: Phase1b on the wire', () => {
  it('a promise reports a chosen-ahead slot it never accepted with its chosen value, and the receiving codec accepts it', () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads; A (slot 1) is chosen everywhere; B (slot 2) is chosen by the votes of n1
    // and n2, but only n1 learns it (n3 hears nothing, n2 no Commit)
    h.elect('n1', ['n2', 'n3']);
    h.propose('n1', 'A');
    h.settle();
    h.propose('n1', 'B');
    h.settle({ drop: { where: (m) => m.to === 'n3' || (m.to === 'n2' && m.type === 'Commit') } });
    expect(h.log('n1')).toEqual(['A', 'B']);
    expect(h.log('n2')).toEqual(['A']);
    // and n3 (watermark 1, nothing accepted in slot 2) hears a heartbeat with watermark 2 and asks for slot 2 on
    h.tickUntil(() => h.inFlight({ type: 'Heartbeat', from: 'n1', to: 'n3' }).length > 0, 10, ['n1']);
    h.drop({ type: 'Heartbeat', to: 'n2' });
    h.deliver({ type: 'Heartbeat', to: 'n3' });
    h.drop({ type: 'HeartbeatReply' });
    expect(h.inFlight({ type: 'CatchupRequest', from: 'n3' })).toMatchObject([{ fromSlot: 2 }]);
    // and n3 restarts before its write loop stored slot 1 (write-behind): watermark 0, slot 1 still accepted
    h.crash('n3');
    const storage = h.storage('n3');
    storage.loseChosenAbove(0);
    storage.accepted.set(1, { slot: 1, ballot: mkBallot(1, 'n1'), value: { kind: 'batch', values: [clientValue('A')] } });
    h.restart('n3');
    // and the late catch-up reply (slot 2 = B) reaches it: slot 2 is known chosen above its watermark
    h.deliver({ type: 'CatchupRequest', to: 'n1' });
    h.deliver({ type: 'CatchupReply', to: 'n3' });
    expect(h.status('n3').chosenWatermark).toBe(0);
    // when n1 crashes and n2 campaigns, n3 promises and reports slot 2 chosen with its value
    // (before the fix: as an accept with ballot 0.'', which the codec refused as 'bad-field')
    h.crash('n1');
    h.drop();
    outwaitLeader(h, 'n2');
    h.campaign('n2');
    h.drop({ type: 'Phase1a', to: 'n1' });
    h.deliver({ type: 'Phase1a', from: 'n2', to: 'n3' });
    const [promise] = ofType(h.inFlight({ type: 'Phase1b', from: 'n3' }), 'Phase1b');
    expect(promise.chosen).toEqual([{ slot: 2, value: { kind: 'batch', values: [clientValue('B')] } }]);
    expect(promise.accepted.filter((e) => e.slot === 2)).toEqual([]);
    // then n2's transport accepts that promise
    expect(overTheWire(promise, h.ids)).toMatchObject({ ok: true });
  });

  it('a follower holding 16 accepted slots of large CJK appends sends a truncated promise that fits one message', async () => {
    const env = { NODE_ID: 'n1', CLUSTER_NODES: 'n1,n2,n3', JWT_SECRET: randomJwtSecret() };
    const config = nodeConfigFromEnv(env);
    const { consensus } = config;
    const fixed = { int: (max: number) => max - 1, float: () => 0.5 };
    const replica = new Replica(consensus, fixed);
    // given leader n2 (ballot 1.n2) has 16 slots in flight (inflightSlotsMax), each batch cut by
    // batchBytesMax from appends built as LogAppendHandler builds them: a 16 KiB body of CJK text
    const data = '中'.repeat(Math.floor((16 * 1024 - '{"stream":"s","data":""}'.length) / 3));
    expect(Buffer.byteLength(JSON.stringify({ stream: 's', data }))).toBeLessThanOrEqual(16 * 1024);
    const payload = JSON.stringify({ events: [{ streamType: 'log', streamId: 's', type: 'RecordAppended', schemaVersion: 1, data }] });
    const perValue = randomUUID().length + payload.length;
    const perSlot = Math.max(1, Math.floor(consensus.batchBytesMax / perValue));
    for (let slot = 1; slot <= consensus.inflightSlotsMax; slot++) {
      const value: SlotValue = { kind: 'batch', values: Array.from({ length: perSlot }, () => ({ id: randomUUID(), payload })) };
      replica.step({ type: 'Phase2a', from: 'n2', to: 'n1', ballot: mkBallot(1, 'n2'), slot, value, chosenWatermark: 0 });
    }
    replica.ready();
    // when n2 is gone, and n3 (after an election timeout) asks n1 for a promise
    for (let t = 0; t < consensus.electionTicksMin; t++) replica.tick();
    replica.ready();
    replica.step({ type: 'Phase1a', from: 'n3', to: 'n1', ballot: mkBallot(2, 'n3'), fromSlot: 1 });
    const promise = ofType(replica.ready().messages, 'Phase1b')[0] as Phase1b;
    // then the promise stops at phase1bBytesMax and says so (n3 will catch up before leading on it)
    expect(promise.truncated).toBe(true);
    expect(promise.accepted.length).toBeLessThan(consensus.inflightSlotsMax);
    // and it reaches n3: before the fix the Phase1b was larger than maxMessageBytes and the
    // transport refused to send it, on every retransmission, for as long as no slot was chosen.
    const cluster = uniqueCluster();
    const members = ['n1', 'n2', 'n3'];
    const n1 = await startNode({ cluster, self: 'n1', members, maxBytes: config.maxMessageBytes });
    const n3 = await startNode({ cluster, self: 'n3', members, maxBytes: config.maxMessageBytes });
    try {
      n1.transport.send([promise]);
      await n1.nc.flush();
      await sleep(200);
      // (values are now counted in encoded UTF-8 bytes: a CJK character is 3 bytes, not one unit)
      expect({ sendFailed: n1.transport.sendFailed(), received: n3.received.map((m) => m.type) }).toEqual({
        sendFailed: { 'too-large': 0, 'publish-failed': 0 },
        received: ['Phase1b'],
      });
    } finally {
      await n1.nc.close();
      await n3.nc.close();
    }
  });
});
