import { AssertionError } from '../shared/assert';
import { type ChosenEntry, type SlotValue, valueKey } from './value';

/**
 * What a node knows is chosen. Slots up to the watermark are contiguous and handed out once,
 * in order; chosen slots above it wait in memory until the gap below them fills.
 */
export class Learner {
  private watermark: number;
  private readonly ahead = new Map<number, SlotValue>();
  private delivered: ChosenEntry[] = [];

  constructor(
    chosenWatermark: number,
    /** Called for each slot as it becomes contiguous, in slot order, before it is handed out. */
    private readonly onContiguous: (entry: ChosenEntry) => void = () => undefined,
  ) {
    this.watermark = chosenWatermark;
  }

  /** The highest slot such that every slot up to it is chosen and known here. */
  get chosenWatermark(): number {
    return this.watermark;
  }

  /** Chosen slots above the watermark, waiting for the gap below them. */
  get aheadCount(): number {
    return this.ahead.size;
  }

  /**
   * Records that `slot` is chosen with `value`. Learning the same slot twice is harmless;
   * learning two different values for a slot above the watermark is a safety violation and
   * throws. Slots at or below the watermark were handed out and are not kept, so they are not
   * compared here (the stored log refuses a second value for a chosen slot).
   */
  learn(slot: number, value: SlotValue): void {
    if (slot <= this.watermark) return;
    const known = this.ahead.get(slot);
    if (known !== undefined) {
      if (valueKey(known) !== valueKey(value)) {
        throw new AssertionError(`slot ${slot} chosen twice with different values: ${valueKey(known)} / ${valueKey(value)}`);
      }
      return;
    }
    this.ahead.set(slot, value);
    this.advance();
  }

  /** True when `slot` is known to be chosen. */
  isChosen(slot: number): boolean {
    return slot <= this.watermark || this.ahead.has(slot);
  }

  /** The chosen value of a slot above the watermark, if known. */
  chosenAhead(slot: number): SlotValue | undefined {
    return this.ahead.get(slot);
  }

  /** Chosen slots above the watermark, in slot order. */
  aheadFrom(fromSlot: number): ChosenEntry[] {
    return [...this.ahead.entries()]
      .filter(([slot]) => slot >= fromSlot)
      .sort((a, b) => a[0] - b[0])
      .map(([slot, value]) => ({ slot, value }));
  }

  /** How many entries wait to be handed over. */
  get deliverableCount(): number {
    return this.delivered.length;
  }

  /** Hands over the entries that became contiguous since the last call, in slot order. */
  takeDelivered(): ChosenEntry[] {
    const out = this.delivered;
    this.delivered = [];
    return out;
  }

  private advance(): void {
    for (;;) {
      const next = this.ahead.get(this.watermark + 1);
      if (next === undefined) return;
      this.ahead.delete(this.watermark + 1);
      this.watermark += 1;
      const entry = { slot: this.watermark, value: next };
      this.onContiguous(entry);
      this.delivered.push(entry);
    }
  }
}
