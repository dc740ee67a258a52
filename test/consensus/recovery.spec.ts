import { BALLOT_ZERO } from '../../src/consensus/ballot';
import type { Phase1b } from '../../src/consensus/messages';
import { recoverSlots } from '../../src/consensus/recovery';
import { NOOP, type SlotValue } from '../../src/consensus/value';
import { ballot, show } from './harness';

const value = (name: string): SlotValue => ({ kind: 'batch', values: [{ id: name, payload: name }] });

/** A Phase1b from `from` reporting `[slot, round, ballot owner, value]` accepts; `chosen` lists slots it knows chosen. */
/** A promise; the slots listed in `chosen` are reported as known chosen with their value, not as accepts. */
function promise(from: string, accepted: [number, number, string, string][], chosen: number[] = []): Phase1b {
  const entries = accepted.map(([slot, round, owner, name]) => ({
    slot,
    ballot: round === 0 ? BALLOT_ZERO : ballot(round, owner),
    value: value(name),
  }));
  return {
    type: 'Phase1b',
    incarnation: 'founding',
    from,
    to: 'n1',
    ballot: ballot(9, 'n1'),
    fromSlot: 1,
    chosenWatermark: 0,
    accepted: entries.filter((e) => !chosen.includes(e.slot)),
    chosen: entries.filter((e) => chosen.includes(e.slot)).map(({ slot, value: v }) => ({ slot, value: v })),
    truncated: false,
  };
}

const nothingKnown = (_slot: number): SlotValue | undefined => undefined;

/** The recovery in short: `slot:value` and a `!` for slots recovered as known chosen. */
function recover(
  watermark: number,
  promises: Phase1b[],
  known: (slot: number) => SlotValue | undefined = nothingKnown,
  localMax = 0,
): string[] {
  return recoverSlots(watermark, promises, known, localMax).map(
    (r) => `${r.slot}:${show(r.value)}${r.chosen ? '!' : ''}`,
  );
}

describe('recovery', () => {
  it('recovers nothing when nothing was reported', () => {
    expect(recover(0, [promise('n1', []), promise('n2', [])])).toEqual([]);
  });

  it('fills holes below the highest reported slot with no-ops', () => {
    expect(recover(0, [promise('n1', []), promise('n2', [[3, 1, 'n2', 'C']])])).toEqual(['1:noop', '2:noop', '3:C']);
    expect(recoverSlots(0, [promise('n2', [[2, 1, 'n2', 'B']])], nothingKnown, 0)[0].value).toEqual(NOOP);
  });

  it.each([
    ['lower first', ['n2', 'n3']],
    ['higher first', ['n3', 'n2']],
  ])('takes the value of the highest ballot for a slot (%s)', (_, order) => {
    const reports: Record<string, Phase1b> = {
      n2: promise('n2', [[1, 1, 'n1', 'A']]),
      n3: promise('n3', [[1, 2, 'n3', 'C']]),
    };
    expect(
      recover(
        0,
        order.map((id) => reports[id]),
      ),
    ).toEqual(['1:C']);
  });

  it('orders equal rounds by node id', () => {
    expect(recover(0, [promise('n2', [[1, 4, 'n5', 'E']]), promise('n3', [[1, 4, 'n2', 'B']])])).toEqual(['1:E']);
  });

  it.each([
    ['chosen reported first', ['n2', 'n3']],
    ['chosen reported last', ['n3', 'n2']],
  ])('takes a value an acceptor knows chosen over any accepted ballot (%s)', (_, order) => {
    const reports: Record<string, Phase1b> = {
      n2: promise('n2', [[1, 0, '', 'K']], [1]),
      n3: promise('n3', [[1, 7, 'n3', 'Z']]),
    };
    expect(
      recover(
        0,
        order.map((id) => reports[id]),
      ),
    ).toEqual(['1:K!']);
  });

  it('prefers what the new leader itself knows chosen over every report', () => {
    const known = (slot: number): SlotValue | undefined => (slot === 2 ? value('L') : undefined);
    expect(recover(0, [promise('n2', [[2, 5, 'n2', 'X']])], known)).toEqual(['1:noop', '2:L!']);
  });

  it('ignores reports at or below the watermark and starts right above it', () => {
    const reports = [
      promise('n2', [
        [2, 1, 'n1', 'B'],
        [4, 1, 'n1', 'D'],
      ]),
    ];
    expect(recover(3, reports)).toEqual(['4:D']);
    expect(recover(5, reports)).toEqual([]);
  });

  it('reaches up to the highest slot the leader knows chosen locally, with no-ops between', () => {
    const known = (slot: number): SlotValue | undefined => (slot === 4 ? value('D') : undefined);
    expect(recover(1, [promise('n2', [[2, 1, 'n1', 'B']])], known, 4)).toEqual(['2:B', '3:noop', '4:D!']);
  });
});
