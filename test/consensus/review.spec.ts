import type { SlotValue } from '../../src/consensus/value';
import { type Cluster, ballot, clientValue, cluster, ofType, show } from './harness';

/** Time passes for `id` alone, long enough that it no longer counts its leader as alive; it must not campaign. */
function outwaitLeader(h: Cluster, id: string): void {
  h.tick(id, h.config(id).electionTicksMin);
  expect(h.status(id).role).toBe('follower');
}

function batch(...names: string[]): SlotValue {
  return { kind: 'batch', values: names.map(clientValue) };
}

/**
 * Models the driver's write-behind: chosen entries are stored by the write loop after the
 * acceptor loop handed them out, so a crash (or the driver's rebuild after a failed MySQL
 * transaction) can lose the tail of the chosen log while the accepts stay: the watermark goes
 * back, and the rows above it are the accepts given here.
 */
function loseUnwrittenChosen(h: Cluster, id: string, keep: number, accepts: { slot: number; round: number; nodeId: string; value: SlotValue }[]): void {
  const storage = h.storage(id);
  storage.loseChosenAbove(keep);
  for (const a of accepts) storage.accepted.set(a.slot, { slot: a.slot, ballot: ballot(a.round, a.nodeId), value: a.value });
}

describe('review: a Phase1b reports an accepted value as chosen when the acceptor knows a different chosen value', () => {
  it('a candidate must not take X as chosen in slot 2 when Y was chosen there (5 nodes)', () => {
    const h = cluster({ nodes: 5 });
    // given n1 leads 1.n1 and A is chosen in slot 1 everywhere
    h.elect('n1', ['n2', 'n3']);
    h.propose('n1', 'A');
    h.settle();
    for (const id of h.ids) expect(h.log(id)).toEqual(['A']);
    // and n1 proposes X in slot 2: only n5 accepts it (n1 has it too, its own accept); then n1 crashes
    h.propose('n1', 'X');
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n5', slot: 2 });
    h.drop();
    h.crash('n1');
    for (const id of ['n2', 'n3', 'n4', 'n5']) outwaitLeader(h, id);
    // and n4 leads 2.n4 with n2 and n3 and chooses Y in slot 2; nobody but n4 learns it is chosen
    h.elect('n4', ['n2', 'n3']);
    h.drop({ type: 'Commit' });
    h.propose('n4', 'Y');
    h.drop({ type: 'Phase2a', from: 'n4', to: 'n5' });
    h.deliver({ type: 'Phase2a', from: 'n4', to: ['n2', 'n3'] });
    h.deliver({ type: 'Phase2b', to: 'n4' });
    expect(h.log('n4')).toEqual(['A', 'Y']);
    h.drop({ type: 'Commit' });
    // and n5 (watermark 1, X accepted in 1.n1) hears n4's heartbeat (watermark 2) and asks n4 for slot 2 on
    h.tickUntil(() => h.inFlight({ type: 'Heartbeat', from: 'n4', to: 'n5' }).length > 0, 10, ['n4']);
    h.drop({ type: 'Heartbeat', to: ['n2', 'n3'] });
    h.deliver({ type: 'Heartbeat', from: 'n4', to: 'n5' });
    expect(h.inFlight({ type: 'CatchupRequest', from: 'n5' })).toMatchObject([{ to: 'n4', fromSlot: 2 }]);
    h.drop({ type: 'HeartbeatReply' });
    // and n5 crashes before its write loop stored slot 1 (write-behind), and restarts with watermark 0
    h.crash('n5');
    loseUnwrittenChosen(h, 'n5', 0, [{ slot: 1, round: 1, nodeId: 'n1', value: batch('A') }]);
    h.restart('n5');
    expect(h.status('n5').chosenWatermark).toBe(0);
    // when n4 answers the earlier request (slot 2 = Y) and the late reply reaches the restarted n5
    h.deliver({ type: 'CatchupRequest', to: 'n4' });
    h.deliver({ type: 'CatchupReply', to: 'n5' });
    // (n5 now knows slot 2 = Y chosen, above its watermark, and still has X accepted in slot 2)
    // and n4 crashes; n1 restarts and campaigns (2.n1 is refused by n2, so it tries again with 3.n1)
    h.crash('n4');
    h.drop();
    h.restart('n1');
    outwaitLeader(h, 'n2');
    h.campaign('n1');
    h.drop({ type: 'Phase1a', from: 'n1', where: (m) => m.to !== 'n2' });
    h.deliver({ type: 'Phase1a', from: 'n1', to: 'n2' });
    h.deliver({ type: 'Nack', to: 'n1' });
    h.drop();
    h.campaign('n1');
    expect(h.status('n1').ballot).toEqual(ballot(3, 'n1'));
    h.drop({ type: 'Phase1a', from: 'n1', where: (m) => !['n2', 'n5'].includes(m.to) });
    h.deliver({ type: 'Phase1a', from: 'n1', to: ['n2', 'n5'] });
    const [fromN5] = ofType(h.inFlight({ type: 'Phase1b', from: 'n5' }), 'Phase1b');
    // (n5's promise reports slot 2 as chosen with the chosen value Y, not with X, its own accept there)
    expect(fromN5.chosen.map((e) => [e.slot, show(e.value)])).toEqual([[2, 'Y']]);
    expect(fromN5.accepted.filter((e) => e.slot === 2)).toEqual([]);
    h.deliver({ type: 'Phase1b', to: 'n1' });
    expect(h.status('n1').role).toBe('leader');
    h.settle();
    // then slot 2 holds Y on every node that has it (n4 chose and applied Y; n2 reported Y in 2.n4,
    // the highest ballot of n1's quorum). Before the fix n1, n2 and n3 applied X in slot 2.
    expect(h.log('n4')).toEqual(['A', 'Y']);
    const slot2 = Object.fromEntries(h.ids.filter((id) => h.log(id).length >= 2).map((id) => [id, h.log(id)[1]]));
    expect(slot2).toEqual(Object.fromEntries(Object.keys(slot2).map((id) => [id, 'Y'])));
  });
});
