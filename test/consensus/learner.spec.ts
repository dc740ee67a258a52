import { Learner } from '../../src/consensus/learner';
import type { SlotValue } from '../../src/consensus/value';
import { AssertionError } from '../../src/shared/assert';

const batch = (...ids: string[]): SlotValue => ({ kind: 'batch', values: ids.map((id) => ({ id, payload: id })) });
const slots = (learner: Learner): number[] => learner.takeDelivered().map((e) => e.slot);

describe('learner', () => {
  it('holds out-of-order slots until the gap fills, then delivers them contiguously and once', () => {
    // given a learner at watermark 0
    const learner = new Learner(0);
    // when slots 3 and 2 are learned before slot 1
    learner.learn(3, batch('c'));
    learner.learn(2, batch('b'));
    // then nothing is delivered yet, and both wait above the watermark
    expect(learner.chosenWatermark).toBe(0);
    expect(slots(learner)).toEqual([]);
    expect(learner.aheadCount).toBe(2);
    expect(learner.isChosen(3)).toBe(true);
    expect(learner.chosenAhead(2)).toEqual(batch('b'));
    // when slot 1 is learned
    learner.learn(1, batch('a'));
    // then 1, 2, 3 are delivered in order, and only once
    expect(learner.chosenWatermark).toBe(3);
    expect(learner.takeDelivered()).toEqual([
      { slot: 1, value: batch('a') },
      { slot: 2, value: batch('b') },
      { slot: 3, value: batch('c') },
    ]);
    expect(slots(learner)).toEqual([]);
    expect(learner.aheadCount).toBe(0);
  });

  it('starts from a restored watermark: slots at or below it are not delivered again', () => {
    const learner = new Learner(5);
    learner.learn(5, batch('old'));
    learner.learn(7, batch('g'));
    expect(slots(learner)).toEqual([]);
    learner.learn(6, { kind: 'noop' });
    expect(slots(learner)).toEqual([6, 7]);
    expect(learner.isChosen(4)).toBe(true);
    expect(learner.isChosen(8)).toBe(false);
  });

  it('learning the same value twice is harmless', () => {
    const learner = new Learner(0);
    learner.learn(2, batch('b'));
    expect(() => learner.learn(2, batch('b'))).not.toThrow();
    expect(learner.aheadCount).toBe(1);
    learner.learn(1, batch('a'));
    learner.learn(1, batch('a'));
    expect(slots(learner)).toEqual([1, 2]);
  });

  it.each<[string, SlotValue, SlotValue]>([
    ['two batches', batch('b'), batch('x')],
    ['a batch and a no-op', batch('b'), { kind: 'noop' }],
    ['the same ids in another order', batch('b', 'c'), batch('c', 'b')],
  ])('throws an AssertionError when one slot is learned with two different values (%s)', (_, first, second) => {
    const learner = new Learner(0);
    learner.learn(2, first);
    expect(() => learner.learn(2, second)).toThrow(AssertionError);
    expect(() => learner.learn(2, second)).toThrow(/slot 2 chosen twice with different values/);
  });

  it('lists chosen slots above a given slot in order', () => {
    const learner = new Learner(0);
    for (const slot of [9, 4, 6]) learner.learn(slot, batch(`v${slot}`));
    expect(learner.aheadFrom(5).map((e) => e.slot)).toEqual([6, 9]);
  });
});
