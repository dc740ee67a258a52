import { COMMANDS_PER_SLOT_MAX, syntheticChosenEntries } from '../../../src/bench/synthetic-chosen-log';
import { syntheticCommands } from '../../../src/bench/synthetic-log';
import { type EventRow, parseCommandRecord, planCommand } from '../../../src/infra/mysql/command-record';

/** Plans every command of the entries as the event store does, in slot order. */
function planAll(options: Parameters<typeof syntheticChosenEntries>[0]) {
  const versions = new Map<string, number>();
  const rows: EventRow[] = [];
  const outcomes: { status: string; reason?: string }[] = [];
  const slots: number[] = [];
  for (const entry of syntheticChosenEntries(options)) {
    slots.push(entry.slot);
    if (entry.value.kind !== 'batch') throw new Error('a batch expected');
    for (const value of entry.value.values) {
      const planned = planCommand(entry.slot, value.id, parseCommandRecord(value.payload), rows.length + 1, (key) => versions.get(key) ?? 0);
      for (const row of planned.rows) versions.set(`${row.stream_type}/${row.stream_id}`, row.stream_version);
      rows.push(...planned.rows);
      outcomes.push(planned.outcome);
    }
  }
  return { rows, outcomes, slots };
}

describe('syntheticChosenEntries', () => {
  const options = { events: 5000, students: 40, applicationEvery: 5 };

  it('applied in slot order, every command applies and the events are those of the synthetic log, at the same positions', () => {
    const { rows, outcomes } = planAll(options);
    expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
    const events = [...syntheticCommands(options)].flatMap((c) => c.events);
    expect(rows.map((r) => r.position)).toEqual(events.map((e) => e.position));
    expect(rows.map((r) => [r.stream_type, r.stream_id, r.type, JSON.parse(r.data)])).toEqual(events.map((e) => [e.streamType, e.streamId, e.type, e.data]));
    expect(rows).toHaveLength(5000);
  });

  it('given one command per slot, then slots are 1, 2, ... one per command', () => {
    const { slots } = planAll(options);
    const commands = [...syntheticCommands(options)].length;
    expect(slots).toEqual(Array.from({ length: commands }, (_, i) => i + 1));
  });

  it('given 7 commands per slot, then each slot holds 7 (the last the rest) and the events are the same', () => {
    const commands = [...syntheticCommands(options)].length;
    const entries = [...syntheticChosenEntries({ ...options, commandsPerSlot: 7 })];
    expect(entries.map((e) => e.slot)).toEqual(Array.from({ length: Math.ceil(commands / 7) }, (_, i) => i + 1));
    const sizes = entries.map((e) => (e.value.kind === 'batch' ? e.value.values.length : 0));
    expect(sizes.slice(0, -1).every((n) => n === 7)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(commands);
    const batched = planAll({ ...options, commandsPerSlot: 7 });
    expect(batched.outcomes.every((o) => o.status === 'applied')).toBe(true);
    expect(batched.rows.map((r) => r.data)).toEqual(planAll(options).rows.map((r) => r.data));
  });

  it('records the stream versions each command was decided against: a command out of order is rejected', () => {
    const entries = [...syntheticChosenEntries({ events: 3, students: 1 })];
    // s-1 registered (slot 1), then modified twice: the third command expects s-1 at version 2.
    const third = entries[2].value.kind === 'batch' ? entries[2].value.values[0] : null;
    const planned = planCommand(3, third!.id, parseCommandRecord(third!.payload), 2, () => 1);
    expect(planned.outcome).toMatchObject({ status: 'rejected', reason: 'stream student/s-1 is at version 1, expected 2' });
  });

  it('refuses a count of commands per slot outside 1..256', () => {
    expect(() => [...syntheticChosenEntries({ ...options, commandsPerSlot: 0 })]).toThrow('commandsPerSlot must be');
    expect(() => [...syntheticChosenEntries({ ...options, commandsPerSlot: COMMANDS_PER_SLOT_MAX + 1 })]).toThrow('commandsPerSlot must be');
  });
});
