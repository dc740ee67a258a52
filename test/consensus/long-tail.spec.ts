import { cluster } from './harness';

/**
 * A chosen tail longer than the accept window, lost by every node: the write loop stores chosen
 * entries after the acceptor loop handed them out, so a crash of every node under load can leave
 * each with its accepts of more slots than the window above its stored watermark, and nobody
 * who knows them chosen.
 */
describe('recovery of a chosen tail longer than the accept window', () => {
  it('after every node lost the tail it had not stored, a candidate still leads and every slot is chosen again with its value, in order', () => {
    const h = cluster({ nodes: 3 });
    const window = h.config().acceptWindowSlots;
    // given n1 leads and chooses more values than the window holds, one slot each, everywhere
    h.elect('n1', ['n2', 'n3']);
    h.settle();
    const values = Array.from({ length: window + 13 }, (_, i) => `v${i}`);
    for (const value of values) {
      h.propose('n1', value);
      h.settle();
    }
    const before = h.log('n1');
    expect(before.filter((v) => v.startsWith('v'))).toEqual(values);
    for (const id of h.ids) expect(h.log(id)).toEqual(before);
    // when every node crashes having stored only the first 2 slots as chosen (its accepts of the rest stay)
    for (const id of h.ids) h.crash(id);
    for (const id of h.ids) h.storage(id).loseChosenAbove(2);
    for (const id of h.ids) expect(h.storage(id).accepted.size).toBeGreaterThan(2 + window);
    for (const id of h.ids) h.restart(id);
    // then a leader emerges, and every node's log is the same prefix again, each value once
    h.runUntil(() => h.ids.every((id) => h.log(id).length >= before.length), 20 * window + 2000);
    expect(h.ids.filter((id) => h.status(id).role === 'leader')).toHaveLength(1);
    for (const id of h.ids) expect(h.log(id).slice(0, before.length)).toEqual(before);
    // and it goes on taking values
    const leader = h.ids.find((id) => h.status(id).role === 'leader')!;
    h.runUntil(() => h.status(leader).recoveredUpTo <= h.status(leader).chosenWatermark, 500);
    h.propose(leader, 'after');
    h.settle();
    for (const id of h.ids) expect(h.log(id).filter((v) => v === 'after')).toEqual(['after']);
  });
});
