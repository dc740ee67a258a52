import { catchupReply } from '../../src/consensus/catchup';
import type { CatchupRequest } from '../../src/consensus/messages';
import type { ChosenEntry } from '../../src/consensus/value';

const entry = (slot: number): ChosenEntry => ({
  slot,
  value: { kind: 'batch', values: [{ id: `v${slot}`, payload: `v${slot}` }] },
});
const request = (fromSlot: number, maxSlots: number): CatchupRequest => ({
  type: 'CatchupRequest',
  from: 'n3',
  to: 'n1',
  fromSlot,
  maxSlots,
});
const slotsOf = (entries: readonly ChosenEntry[]): number[] => entries.map((e) => e.slot);
const stored = (from: number, to: number): ChosenEntry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => entry(from + i));

describe('catchupReply', () => {
  it('answers the asker from the responder, with the responder watermark', () => {
    expect(catchupReply(request(1, 10), stored(1, 3), 3, 500)).toEqual({
      type: 'CatchupReply',
      from: 'n1',
      to: 'n3',
      entries: stored(1, 3),
      chosenWatermark: 3,
    });
  });

  it.each([
    ['the batch limit', 10, 4, [5, 6, 7, 8]],
    ["the asker's maxSlots", 2, 500, [5, 6]],
  ])('sends at most %s of entries', (_, maxSlots, batchMax, expected) => {
    expect(slotsOf(catchupReply(request(5, maxSlots), stored(5, 30), 30, batchMax).entries)).toEqual(expected);
  });

  it('sends only the contiguous run from the asked slot', () => {
    const withGap = [...stored(5, 7), ...stored(9, 12)];
    expect(slotsOf(catchupReply(request(5, 100), withGap, 12, 100).entries)).toEqual([5, 6, 7]);
    expect(slotsOf(catchupReply(request(4, 100), withGap, 12, 100).entries)).toEqual([]);
  });
});
