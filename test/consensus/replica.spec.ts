import { consensusConfig } from '../../src/consensus/config';
import type { Message } from '../../src/consensus/messages';
import type { Ready } from '../../src/consensus/ready';
import { Replica } from '../../src/consensus/replica';
import { type Random, seededRandom } from '../../src/shared/random';
import { type Cluster, SCRIPT_DEFAULTS, ballot, clientValue, cluster, ofType, show } from './harness';

/** Slot and value of each Phase2a among `messages`, in order. */
function phase2aTo(messages: readonly Message[]): [number, string][] {
  return ofType(messages, 'Phase2a').map((m) => [m.slot, show(m.value)]);
}

/** The one Ready of `readies` that sends a message of `type`, before or after its persist. */
function readyThatSends(readies: readonly Ready[], type: Message['type']): Ready {
  const found = readies.filter((r) => [...r.sendFirst, ...r.messages].some((m) => m.type === type));
  expect(found).toHaveLength(1);
  return found[0];
}

/** Whether the Ready sends a message of `type` only after its persist. */
function sendsAfterPersist(ready: Ready, type: Message['type']): boolean {
  return ready.messages.some((m) => m.type === type) && !ready.sendFirst.some((m) => m.type === type);
}

/** Time passes for `id` alone, long enough that it no longer counts its leader as alive; it must not campaign. */
function outwaitLeader(h: Cluster, id: string): void {
  h.tick(id, h.config(id).electionTicksMin);
  expect(h.status(id).role).toBe('follower');
}

describe('replica: a new leader recovers what its predecessor left in flight', () => {
  it('re-proposes the highest-ballot accepted value (B in slot 2) and a no-op for the hole (slot 1)', () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads ballot 1.n1 with n2's promise; its Commit reaches nobody
    h.elect('n1', ['n2']);
    h.drop({ type: 'Commit' });
    // and n1 proposes A, then B: one slot each
    h.propose('n1', 'A');
    h.propose('n1', 'B');
    expect(phase2aTo(h.inFlight({ from: 'n1', to: 'n2' }))).toEqual([
      [1, 'A'],
      [2, 'B'],
    ]);
    // when only the Phase2a for slot 2 reaches n2, and n1 crashes with everything else in flight lost
    h.deliver({ type: 'Phase2a', to: 'n2', slot: 2 });
    h.drop();
    h.crash('n1');
    // and n2 stops counting n1 as alive
    outwaitLeader(h, 'n2');
    // and n3 campaigns and gets n2's promise (which reports B accepted in 1.n1)
    h.elect('n3', ['n2']);
    // then n3 proposes a no-op for slot 1 and B for slot 2, in its own ballot
    const proposals = h.inFlight({ type: 'Phase2a', from: 'n3', to: 'n2' });
    expect(phase2aTo(proposals)).toEqual([
      [1, 'noop'],
      [2, 'B'],
    ]);
    expect(ofType(proposals, 'Phase2a').every((m) => m.ballot.nodeId === 'n3')).toBe(true);
    // when the messages flow
    h.settle();
    // then every live node's chosen log is [noop, B]
    expect(h.log('n3')).toEqual(['noop', 'B']);
    expect(h.log('n2')).toEqual(['noop', 'B']);
    // and n1, restarted with A still accepted in slot 1, learns [noop, B] from the leader
    h.restart('n1');
    h.runUntil(() => h.log('n1').length === 2, 100);
    expect(h.log('n1')).toEqual(['noop', 'B']);
  });

  it.each([
    ['the higher report first', ['n4', 'n2']],
    ['the lower report first', ['n2', 'n4']],
  ])(
    'takes the value of the highest ballot when two acceptors report different values for one slot (%s)',
    (_, order) => {
      const h = cluster({ nodes: 5 });
      // given n1 leads 1.n1 (promises of n2, n3) and proposes A in slot 1; only n2 accepts it
      h.elect('n1', ['n2', 'n3']);
      h.drop({ type: 'Commit' });
      h.propose('n1', 'A');
      h.deliver({ type: 'Phase2a', from: 'n1', to: 'n2' });
      h.drop();
      h.crash('n1');
      // and n3 leads 2.n3 (promises of n4, n5) and proposes C in slot 1; only n4 accepts it
      h.elect('n3', ['n4', 'n5']);
      expect(h.status('n3').ballot).toEqual(ballot(2, 'n3'));
      h.drop({ type: 'Commit' });
      h.propose('n3', 'C');
      h.deliver({ type: 'Phase2a', from: 'n3', to: 'n4' });
      h.drop();
      h.crash('n3');
      // and n2 and n4 stop counting their leaders as alive
      outwaitLeader(h, 'n2');
      outwaitLeader(h, 'n4');
      // when n5 campaigns and the promises of n2 (A in 1.n1) and n4 (C in 2.n3) arrive in the given order
      h.campaign('n5');
      h.deliver({ type: 'Phase1a', from: 'n5', to: ['n2', 'n4'] });
      for (const from of order) h.deliver({ type: 'Phase1b', from, to: 'n5' });
      expect(h.status('n5').role).toBe('leader');
      // then n5 re-proposes C, the value of the higher ballot
      expect(phase2aTo(h.inFlight({ from: 'n5', to: 'n2' }))).toEqual([[1, 'C']]);
      // and C is what the live nodes choose
      h.settle();
      for (const id of ['n2', 'n4', 'n5']) expect(h.log(id)).toEqual(['C']);
    },
  );
});

describe('replica: Phase 1 once per leadership, Phase 2 per slot', () => {
  it('sends no further Phase1a after the election, however many values are proposed', () => {
    const h = cluster({ nodes: 3 });
    // given n1 is elected by n2 and n3
    h.elect('n1', ['n2', 'n3']);
    h.settle();
    expect(h.sent({ type: 'Phase1a' })).toHaveLength(2);
    // when 20 values are proposed, and the cluster runs with heartbeats
    for (let i = 1; i <= 10; i++) h.propose('n1', `v${i}`);
    h.settle();
    for (let i = 11; i <= 20; i++) h.propose('n1', `v${i}`);
    h.run(50);
    // then all 20 are chosen on every node, each in its own Phase2a round
    const expected = Array.from({ length: 20 }, (_, i) => `v${i + 1}`);
    for (const id of h.ids) expect(h.log(id)).toEqual(expected);
    expect(h.sent({ type: 'Phase2a', from: 'n1', to: 'n2' })).toHaveLength(20);
    // and no Phase1a or Phase1b was sent beyond the election's
    expect(h.sent({ type: 'Phase1a' })).toHaveLength(2);
    expect(h.sent({ type: 'Phase1b' })).toHaveLength(2);
  });
});

describe('replica: refusals', () => {
  it("a stale leader's Phase2a gets a Nack carrying the higher promise, and the stale leader steps down at once", () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads 1.n1 with n2's promise
    h.elect('n1', ['n2']);
    h.drop({ type: 'Commit' });
    // and n3 campaigns with 1.n3 and n2 promises it
    h.campaign('n3');
    h.drop({ type: 'Phase1a', from: 'n3', to: 'n1' });
    h.deliver({ type: 'Phase1a', from: 'n3', to: 'n2' });
    expect(h.status('n2').promised).toEqual(ballot(1, 'n3'));
    // when n1, still believing it leads, sends Phase2a for X to n2
    h.propose('n1', 'X');
    h.drop({ type: 'Phase2a', to: 'n3' });
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n2' });
    // then n2 does not accept, and its Nack names the refused ballot and its promise
    expect(h.sent({ type: 'Phase2b', from: 'n2' })).toEqual([]);
    expect(h.storage('n2').accepted.size).toBe(0);
    expect(h.inFlight({ type: 'Nack' })).toEqual([
      { type: 'Nack', from: 'n2', to: 'n1', ballot: ballot(1, 'n1'), promised: ballot(1, 'n3') },
    ]);
    // when the Nack reaches n1
    expect(h.status('n1').role).toBe('leader');
    h.deliver({ type: 'Nack', to: 'n1' });
    // then n1 is a follower at once, without a tick
    expect(h.status('n1').role).toBe('follower');
  });

  it('a lower-ballot Phase1a gets a Nack; a duplicate Phase1a of the promised ballot gets the same promise again', () => {
    const h = cluster({ nodes: 3 });
    // given n1 (ballot 1.n1) and n3 (ballot 1.n3, the higher) both campaign
    h.campaign('n1');
    h.campaign('n3');
    // and n3's Phase1a reaches n2 first
    const [phase1a] = h.deliver({ type: 'Phase1a', from: 'n3', to: 'n2' });
    const [promise] = h.inFlight({ type: 'Phase1b', from: 'n2' });
    expect(promise).toMatchObject({ to: 'n3', ballot: ballot(1, 'n3') });
    // when n1's lower Phase1a reaches n2
    h.deliver({ type: 'Phase1a', from: 'n1', to: 'n2' });
    // then n2 refuses with a Nack that carries 1.n3, and keeps its promise
    expect(h.inFlight({ type: 'Nack' })).toEqual([
      { type: 'Nack', from: 'n2', to: 'n1', ballot: ballot(1, 'n1'), promised: ballot(1, 'n3') },
    ]);
    expect(h.sent({ type: 'Phase1b', from: 'n2' })).toHaveLength(1);
    expect(h.status('n2').promised).toEqual(ballot(1, 'n3'));
    // when n3's Phase1a arrives again
    h.inject(phase1a);
    // then n2 sends the same promise again, with nothing new to persist
    const promises = h.sent({ type: 'Phase1b', from: 'n2' });
    expect(promises).toHaveLength(2);
    expect(promises[1]).toEqual(promise);
    expect(h.readies('n2').at(-1)?.promised).toBeUndefined();
  });
});

describe('replica: counting votes', () => {
  it('a duplicate Phase2b does not count twice (5 nodes, quorum 3)', () => {
    const h = cluster({ nodes: 5 });
    // given n1 leads and proposes X
    h.elect('n1', ['n2', 'n3']);
    h.settle();
    h.propose('n1', 'X');
    // when n2 accepts, and its Phase2b reaches n1 twice
    h.deliver({ type: 'Phase2a', to: 'n2' });
    const [vote] = h.deliver({ type: 'Phase2b', from: 'n2' });
    h.inject(vote);
    // then X is not chosen: n1 and n2 are two votes of the three needed
    expect(h.status('n1').chosenWatermark).toBe(0);
    expect(h.log('n1')).toEqual([]);
    // when n3's vote arrives
    h.deliver({ type: 'Phase2a', to: 'n3' });
    h.deliver({ type: 'Phase2b', from: 'n3' });
    // then X is chosen
    expect(h.log('n1')).toEqual(['X']);
  });
});

describe('replica: late and old-ballot messages change nothing', () => {
  it('a Phase1b for a ballot the candidate no longer uses is not counted', () => {
    const h = cluster({ nodes: 3 });
    // given n1 campaigns with 1.n1, and n2's promise is delayed
    h.campaign('n1');
    h.drop({ type: 'Phase1a', to: 'n3' });
    h.deliver({ type: 'Phase1a', from: 'n1', to: 'n2' });
    // when n1 times out and campaigns again with 2.n1; every Phase1a it sends is lost
    h.campaign('n1');
    expect(h.status('n1').ballot).toEqual(ballot(2, 'n1'));
    h.drop({ type: 'Phase1a' });
    // and n2's promise for 1.n1 arrives late
    h.deliver({ type: 'Phase1b', from: 'n2', to: 'n1', where: (m) => m.type === 'Phase1b' && m.ballot.round === 1 });
    // then it does not count for 2.n1 (with n1's own it would make a quorum of 2)
    expect(h.status('n1').role).toBe('candidate');
    expect(h.sent({ type: 'Phase2a' })).toEqual([]);
    expect(h.log('n1')).toEqual([]);
  });

  it('a Phase2b from an older ballot is not counted for the current one', () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads 1.n1 and proposes X; n2 accepts, but its Phase2b is delayed
    h.elect('n1', ['n2']);
    h.drop({ type: 'Commit' });
    h.propose('n1', 'X');
    h.drop({ type: 'Phase2a', to: 'n3' });
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n2' });
    // and n1 restarts and leads again with 2.n1 on n3's promise, re-proposing X
    h.crash('n1');
    h.restart('n1');
    h.elect('n1', ['n3']);
    expect(h.status('n1').ballot).toEqual(ballot(2, 'n1'));
    expect(phase2aTo(h.inFlight({ type: 'Phase2a', from: 'n1', to: 'n3' }))).toEqual([[1, 'X']]);
    // when n2's Phase2b for 1.n1 finally arrives
    h.deliver({ type: 'Phase2b', from: 'n2', to: 'n1' });
    // then it is not a vote for 2.n1: nothing is chosen
    expect(h.status('n1').chosenWatermark).toBe(0);
    expect(h.log('n1')).toEqual([]);
    // when n3 accepts in 2.n1, X is chosen
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n3' });
    h.deliver({ type: 'Phase2b', from: 'n3', to: 'n1' });
    expect(h.log('n1')).toEqual(['X']);
  });

  it('a Phase2a below the promise is refused and not stored', () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads 1.n1 and proposes X; its Phase2a to n3 is delayed
    h.elect('n1', ['n2']);
    h.drop({ type: 'Commit' });
    h.propose('n1', 'X');
    // and meanwhile n3 campaigns with 1.n3 (its own promise); its Phase1a are lost
    h.campaign('n3');
    h.drop({ type: 'Phase1a', from: 'n3' });
    // when n1's old Phase2a reaches n3
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n3' });
    // then n3 refuses it: no accept stored, no Phase2b, a Nack, and its chosen log unchanged
    expect(h.storage('n3').accepted.size).toBe(0);
    expect(h.sent({ type: 'Phase2b', from: 'n3' })).toEqual([]);
    expect(h.inFlight({ type: 'Nack', from: 'n3' })).toHaveLength(1);
    expect(h.log('n3')).toEqual([]);
    expect(h.status('n3').chosenWatermark).toBe(0);
  });
});

describe('replica: catch-up', () => {
  it('fetches slots 1..30 in bounded batches after a heartbeat shows the gap, exactly once despite a duplicated reply', () => {
    const h = cluster({ nodes: 3, config: { catchupBatchMax: 7, batchCommandsMax: 1 } });
    const values = Array.from({ length: 30 }, (_, i) => `v${i + 1}`);
    // given n1 leads, and slots 1..30 are chosen by n1 and n2 while everything sent to n3 is lost
    h.elect('n1', ['n2', 'n3']);
    for (const v of values) h.propose('n1', v);
    h.settle({ drop: { to: 'n3' } });
    expect(h.log('n2')).toEqual(values);
    expect(h.log('n3')).toEqual([]);
    // when n1's next Heartbeat, with watermark 30, reaches n3
    h.tickUntil(() => h.inFlight({ type: 'Heartbeat', to: 'n3' }).length > 0, 10, ['n1']);
    const [heartbeat] = h.deliver({ type: 'Heartbeat', to: 'n3' });
    expect(heartbeat).toMatchObject({ chosenWatermark: 30 });
    // then n3 asks n1 for a first batch from slot 1
    expect(h.inFlight({ type: 'CatchupRequest' })).toEqual([
      { type: 'CatchupRequest', from: 'n3', to: 'n1', fromSlot: 1, maxSlots: 7 },
    ]);
    // when n1's driver serves each request from its stored log, and the network duplicates the second reply
    for (let round = 1; h.inFlight({ type: 'CatchupRequest' }).length > 0; round++) {
      expect(round).toBeLessThanOrEqual(10);
      h.deliver({ type: 'CatchupRequest', to: 'n1' });
      if (round === 2) h.duplicate({ type: 'CatchupReply' });
      h.deliver({ type: 'CatchupReply', to: 'n3' });
    }
    // then n3 handed out slots 1..30 in order, each exactly once
    expect(h.applied('n3').map((e) => e.slot)).toEqual(values.map((_, i) => i + 1));
    expect(h.log('n3')).toEqual(values);
    // and it asked in batches of at most 7, without a second chain after the duplicate
    expect(ofType(h.sent({ type: 'CatchupRequest' }), 'CatchupRequest').map((m) => m.fromSlot)).toEqual([
      1, 8, 15, 22, 29,
    ]);
    expect(ofType(h.sent({ type: 'CatchupReply' }), 'CatchupReply').map((m) => m.entries.length)).toEqual([
      7, 7, 7, 7, 2,
    ]);
  });
});

describe('replica: persist before send', () => {
  it('the Ready that carries a Phase1b or Phase2b also carries the promise or accept it vouches for', () => {
    const h = cluster({ nodes: 3 });
    // when n1 campaigns and n2 promises
    h.campaign('n1');
    h.drop({ type: 'Phase1a', to: 'n3' });
    h.deliver({ type: 'Phase1a', to: 'n2' });
    // then n2's Ready with the Phase1b carries the promise 1.n1, and sends the Phase1b after persisting it
    const promiseReady = readyThatSends(h.readies('n2'), 'Phase1b');
    expect(promiseReady.promised).toEqual(ballot(1, 'n1'));
    expect(sendsAfterPersist(promiseReady, 'Phase1b')).toBe(true);
    // when n1 leads and proposes X, and its Phase2a reach n2 and n3 (n3 never promised)
    h.deliver({ type: 'Phase1b', to: 'n1' });
    h.drop({ type: 'Commit' });
    h.propose('n1', 'X');
    h.deliver({ type: 'Phase2a', from: 'n1', to: ['n2', 'n3'] });
    // then each Ready with a Phase2b carries the accept, and n3's also the promise it implies
    const accept = { slot: 1, ballot: ballot(1, 'n1'), value: { kind: 'batch', values: [clientValue('X')] } };
    const n2Ready = readyThatSends(h.readies('n2'), 'Phase2b');
    expect(n2Ready.accepted).toEqual([accept]);
    expect(sendsAfterPersist(n2Ready, 'Phase2b')).toBe(true);
    const n3Ready = readyThatSends(h.readies('n3'), 'Phase2b');
    expect(n3Ready.accepted).toEqual([accept]);
    expect(n3Ready.promised).toEqual(ballot(1, 'n1'));
    expect(sendsAfterPersist(n3Ready, 'Phase2b')).toBe(true);
    // and the leader's own vote is persisted by the Ready that sends its Phase2a
    expect(readyThatSends(h.readies('n1'), 'Phase2a').accepted).toEqual([accept]);
    // and in a busy run with a failover, no answer ever left before its state was stored
    h.run(20);
    for (let i = 0; i < 10; i++) h.propose('n1', `w${i}`);
    h.run(20);
    h.crash('n1');
    h.runUntil(() => ['n2', 'n3'].some((id) => h.status(id).role === 'leader'), 200);
    h.run(20);
    expect(h.sent({ type: 'Phase2b' }).length).toBeGreaterThan(20);
    expect(h.unpersistedAnswers).toEqual([]);
  });
});

describe('replica: batching and pipelining', () => {
  it('puts at most batchCommandsMax values in a slot and keeps at most inflightSlotsMax slots in flight', () => {
    const h = cluster({ nodes: 3, config: { inflightSlotsMax: 2, batchCommandsMax: 3, acceptWindowSlots: 4 } });
    const values = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    h.elect('n1', ['n2', 'n3']);
    h.settle();
    // when a client proposes 10 values at once
    expect(h.propose('n1', ...values)).toEqual({ status: 'queued' });
    // then two slots of three values go out, and four values wait
    expect(phase2aTo(h.inFlight({ from: 'n1', to: 'n2' }))).toEqual([
      [1, 'v1+v2+v3'],
      [2, 'v4+v5+v6'],
    ]);
    expect(h.status('n1')).toMatchObject({ inflightSlots: 2, pendingValues: 4 });
    // when the messages flow hop by hop
    let widest = 0;
    for (let hop = 0; h.inFlight().length > 0; hop++) {
      expect(hop).toBeLessThan(100);
      h.deliver();
      const highestSent = Math.max(...ofType(h.sent({ from: 'n1' }), 'Phase2a').map((m) => m.slot));
      widest = Math.max(widest, highestSent - h.status('n1').chosenWatermark);
    }
    // then never more than two slots were past the chosen watermark
    expect(widest).toBe(2);
    // and the rest followed as slots were chosen, all 10 in order
    expect(phase2aTo(h.sent({ from: 'n1', to: 'n2' }))).toEqual([
      [1, 'v1+v2+v3'],
      [2, 'v4+v5+v6'],
      [3, 'v7+v8+v9'],
      [4, 'v10'],
    ]);
    for (const id of h.ids) expect(h.log(id)).toEqual(['v1+v2+v3', 'v4+v5+v6', 'v7+v8+v9', 'v10']);
  });
});

describe('replica: proposals on followers', () => {
  it('a follower forwards to the leader it knows; a node that knows no leader says no-leader', () => {
    const h = cluster({ nodes: 3 });
    // given no election has happened: nobody knows a leader
    expect(h.propose('n2', 'X')).toEqual({ status: 'no-leader' });
    expect(h.sent({ type: 'Propose' })).toEqual([]);
    // given n1 leads, and n2 has heard its Commit
    h.elect('n1', ['n2', 'n3']);
    h.settle();
    // when a client hands X to n2
    const result = h.propose('n2', 'X');
    // then n2 forwards it to n1
    expect(result).toEqual({ status: 'forwarded', leaderId: 'n1' });
    expect(h.inFlight({ type: 'Propose' })).toEqual([
      { type: 'Propose', from: 'n2', to: 'n1', values: [clientValue('X')] },
    ]);
    // and X is chosen everywhere
    h.settle();
    for (const id of h.ids) expect(h.log(id)).toEqual(['X']);
  });
});

describe('replica: leadership without a quorum', () => {
  it('a leader that hears from no quorum for an election timeout steps down', () => {
    const h = cluster({ nodes: 3 });
    const { electionTicksMin, electionTicksMax } = h.config();
    // given n1 leads, with n2 and n3 answering
    h.elect('n1', ['n2', 'n3']);
    h.settle();
    // when n2 and n3 crash
    h.crash('n2');
    h.crash('n3');
    // then n1 keeps leading for a while, and steps down within an election timeout
    const ticks = h.tickUntil(() => h.status('n1').role !== 'leader', 10 * electionTicksMax, ['n1']);
    expect(ticks).toBeGreaterThanOrEqual(electionTicksMin);
    expect(ticks).toBeLessThanOrEqual(electionTicksMax);
    expect(h.status('n1').role).toBe('follower');
  });

  it('a leader that hears from a quorum keeps leading', () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads
    h.elect('n1', ['n2', 'n3']);
    h.settle();
    // when n3 crashes but n2 keeps answering heartbeats for ten election timeouts
    h.crash('n3');
    h.run(10 * h.config().electionTicksMax);
    // then n1 still leads
    expect(h.status('n1').role).toBe('leader');
    expect(h.status('n2').leaderId).toBe('n1');
  });
});

describe('replica: a lagging candidate', () => {
  it('does not lead when a promiser has chosen more, and asks it for catch-up instead', () => {
    const h = cluster({ nodes: 3 });
    // given n1 and n2 choose A, B, C while n3 hears nothing
    h.elect('n1', ['n2']);
    for (const v of ['A', 'B', 'C']) h.propose('n1', v);
    h.settle({ drop: { to: 'n3' } });
    expect(h.log('n2')).toEqual(['A', 'B', 'C']);
    // and n1 crashes; n2 stops counting it as alive
    h.crash('n1');
    outwaitLeader(h, 'n2');
    // when n3 campaigns and n2's promise, with watermark 3, arrives
    h.campaign('n3');
    h.deliver({ type: 'Phase1a', from: 'n3', to: 'n2' });
    const [promise] = h.deliver({ type: 'Phase1b', from: 'n2', to: 'n3' });
    expect(promise).toMatchObject({ chosenWatermark: 3 });
    // then n3 steps back instead of leading, proposes nothing, and asks n2 for slots from 1
    expect(h.status('n3').role).toBe('follower');
    expect(h.sent({ type: 'Phase2a', from: 'n3' })).toEqual([]);
    expect(h.inFlight({ type: 'CatchupRequest' })).toEqual([
      { type: 'CatchupRequest', from: 'n3', to: 'n2', fromSlot: 1, maxSlots: h.config().catchupBatchMax },
    ]);
    // when the catch-up is served, n3 has the log and can then win an election
    h.settle();
    expect(h.log('n3')).toEqual(['A', 'B', 'C']);
    h.elect('n3', ['n2']);
    h.propose('n3', 'D');
    h.settle();
    expect(h.log('n2')).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe('replica: election timeouts come from the injected random source', () => {
  const config = consensusConfig({ ...SCRIPT_DEFAULTS, nodeId: 'n1', members: ['n1', 'n2', 'n3'] });

  /** The tick at which a lone replica, hearing nothing, campaigns. */
  function campaignTick(random: Random): number {
    const replica = new Replica(config, random);
    for (let tick = 1; tick <= config.electionTicksMax; tick++) {
      replica.tick();
      if (replica.status().role === 'candidate') return tick;
    }
    throw new Error('never campaigned');
  }

  it('the same seed campaigns at the same tick, different seeds at different ticks', () => {
    expect(campaignTick(seededRandom(1))).toBe(campaignTick(seededRandom(1)));
    expect(campaignTick(seededRandom(1))).not.toBe(campaignTick(seededRandom(2)));
    const ticks = Array.from({ length: 40 }, (_, seed) => campaignTick(seededRandom(seed)));
    expect(new Set(ticks).size).toBeGreaterThan(5);
    for (const t of ticks) {
      expect(t).toBeGreaterThanOrEqual(config.electionTicksMin);
      expect(t).toBeLessThan(config.electionTicksMax);
    }
  });

  it('the timeout is electionTicksMin plus what the source draws below (max - min)', () => {
    const asked: number[] = [];
    const fixed: Random = {
      int: (maxExclusive) => {
        asked.push(maxExclusive);
        return 7;
      },
      float: () => 0,
    };
    expect(campaignTick(fixed)).toBe(config.electionTicksMin + 7);
    expect(asked[0]).toBe(config.electionTicksMax - config.electionTicksMin);
  });
});

describe('replica: watermarks of a stale leader (5 nodes)', () => {
  /** n1 leads 1.n1 and only n2 accepts its V in slot 1; n3 leads 2.n3 and W is chosen in slot 1. */
  function staleLeaderWithChosenW() {
    const h = cluster({ nodes: 5 });
    // given n1 leads 1.n1 (promises of n2, n3) and proposes V in slot 1; only n2 accepts it,
    // and n1's Phase2a to n4 is delayed
    h.elect('n1', ['n2', 'n3']);
    h.drop({ type: 'Commit' });
    h.propose('n1', 'V');
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n2' });
    h.drop({ type: 'Phase2a', from: 'n1', to: ['n3', 'n5'] });
    h.drop({ type: 'Phase2b' });
    // and n3 leads 2.n3 with n4 and n5 (who never heard of n1), and W is chosen in slot 1
    h.elect('n3', ['n4', 'n5']);
    h.propose('n3', 'W');
    h.settle({ drop: { to: ['n1', 'n2'] }, hold: { from: 'n1', to: 'n4' } });
    expect(h.log('n3')).toEqual(['W']);
    expect(h.log('n4')).toEqual(['W']);
    return h;
  }

  it("a Phase2a for a slot already chosen, below the acceptor's promise, gets a Nack and the stale leader steps down", () => {
    const h = staleLeaderWithChosenW();
    // when n1's delayed Phase2a (1.n1, slot 1) reaches n4, which has slot 1 chosen and promised 2.n3
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n4' });
    // then n4 refuses with a Nack naming 2.n3, and n1 steps down when it arrives
    expect(h.inFlight({ type: 'Nack', from: 'n4' })).toEqual([
      { type: 'Nack', from: 'n4', to: 'n1', ballot: ballot(1, 'n1'), promised: ballot(2, 'n3') },
    ]);
    h.deliver({ type: 'Nack', from: 'n4', to: 'n1' });
    expect(h.status('n1').role).toBe('follower');
  });

  it('a stale leader that learns a slot by a late catch-up reply steps down and its followers never learn its own unchosen value', () => {
    const h = staleLeaderWithChosenW();
    // when a catch-up reply from n4 carrying slot 1 = W reaches n1 while it still leads 1.n1
    // (a late answer to a request n1 made before it led)
    h.inject({ type: 'CatchupReply', from: 'n4', to: 'n1', entries: [{ slot: 1, value: { kind: 'batch', values: [clientValue('W')] } }], chosenWatermark: 1 });
    // then n1 learns W and steps down at once, before announcing a watermark in its ballot
    expect(h.log('n1')).toEqual(['W']);
    expect(h.status('n1').role).toBe('follower');
    expect(h.inFlight({ type: 'Commit', from: 'n1' })).toEqual([]);
    // and n2, which accepted V in 1.n1, does not take V as chosen from anything n1 sends
    h.tick(['n1'], 5);
    for (const m of h.inFlight({ from: 'n1', to: 'n2' })) h.inject(m);
    expect(h.log('n2')).not.toContain('V');
    // and once every message has arrived, every node that knows slot 1 has W there
    h.settle();
    for (const id of h.ids) expect(h.log(id).slice(0, 1)).not.toEqual(['V']);
  });
});

describe('replica: promises that do not fit one message', () => {
  it('a lagging candidate gets a truncated promise, catches up instead of leading, and then leads', () => {
    // A budget of exactly one accept window (the least the config allows), one value per slot.
    const window = 4;
    const h = cluster({ nodes: 3, config: { batchCommandsMax: 1, batchBytesMax: 100, inflightSlotsMax: 2, acceptWindowSlots: window, phase1bBytesMax: window * 228 } });
    // given n1 leads and A..H are chosen by n1 and n2; n3 hears nothing
    h.elect('n1', ['n2']);
    h.settle();
    for (const v of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']) {
      h.propose('n1', v);
      h.settle({ drop: { to: 'n3' } });
    }
    expect(h.log('n2')).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    // and n2 restarts with its chosen log behind its accepts (its write loop had stored none)
    h.crash('n2');
    const stored = h.storage('n2');
    const chosen = stored.chosen;
    stored.loseChosenAbove(0);
    for (const e of chosen) stored.accepted.set(e.slot, { slot: e.slot, ballot: h.status('n1').ballot, value: e.value });
    h.restart('n2');
    // when n1 is gone and the lagging n3 campaigns, n2's promise covers more than a window: truncated
    h.crash('n1');
    h.drop();
    outwaitLeader(h, 'n2');
    h.campaign('n3');
    h.drop({ type: 'Phase1a', to: 'n1' });
    h.deliver({ type: 'Phase1a', from: 'n3', to: 'n2' });
    const [promise] = ofType(h.inFlight({ type: 'Phase1b', from: 'n2' }), 'Phase1b');
    expect(promise.truncated).toBe(true);
    // then n3 does not lead on it (it would have filled the left-out slots with no-ops)
    h.deliver({ type: 'Phase1b', from: 'n2', to: 'n3' });
    expect(h.status('n3').role).toBe('follower');
    // and once n1 is back, n3 catches up and the cluster keeps A..H in every log, then takes I
    h.restart('n1');
    h.runUntil(() => h.ids.every((id) => h.log(id).length >= 8) && h.ids.some((id) => h.status(id).role === 'leader'), 3000);
    for (const id of h.ids) expect(h.log(id).slice(0, 8)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
  });
});

describe('replica: a rolling upgrade from the founding incarnation', () => {
  it('a leader elected on founding promises goes on deciding once every follower is back from its upgrade under a real incarnation', () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads on promises n2 and n3 made under the founding incarnation (a release before incarnations)
    h.elect('n1', ['n2', 'n3']);
    h.propose('n1', 'a');
    h.settle();
    // when n2, then n3, restart on a release with incarnations (same storage: the upgrade keeps it), n1 leading throughout
    for (const id of ['n2', 'n3']) {
      h.crash(id);
      h.storage(id).incarnation = `${id}-upgraded`;
      h.restart(id);
      for (const name of [`after-${id}`, `again-${id}`]) {
        h.propose('n1', name);
        h.runUntil(() => h.log('n1').includes(name), 20 * h.config().electionTicksMax);
      }
    }
    // then n1 still leads and decides: the promises of the founding incarnation still count
    h.propose('n1', 'last');
    h.runUntil(() => h.log('n1').includes('last'), 20 * h.config().electionTicksMax);
    expect(h.status('n1').role).toBe('leader');
    expect(h.status('n1').counters.elections).toBe(1);
    expect(h.log('n1').filter((v) => v !== 'noop')).toEqual(['a', 'after-n2', 'again-n2', 'after-n3', 'again-n3', 'last']);
  });
});
