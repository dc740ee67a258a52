import { BALLOT_ROUND_MAX } from '../../consensus/ballot';
import type { Ballot } from '../../consensus/ballot';
import type { AcceptedEntry, ChosenEntry, ClientValue, SlotValue } from '../../consensus/value';

/**
 * Hand-written readers for the fields of protocol message bodies (parsed JSON).
 *
 * Each reader returns a fresh, exactly-shaped value, or `undefined` when the input is not
 * acceptable: a wrong type, a number out of range, a missing or an extra key. Readers never
 * throw; the input is whatever a peer sent.
 */

/** Bounds on what one message body may carry; the byte limit bounds the whole message too. */
export interface CodecLimits {
  /** Longest client value id, in UTF-16 code units. */
  readonly idLengthMax: number;
  /** Most client values in one batch or one Propose. */
  readonly valuesMax: number;
  /** Most entries (accepted, chosen slots, catch-up entries) in one message. */
  readonly entriesMax: number;
}

/** Generous defaults: above the core's own batch limits, so only a broken peer hits them. */
export const DEFAULT_CODEC_LIMITS: CodecLimits = Object.freeze({
  idLengthMax: 128,
  valuesMax: 10_000,
  entriesMax: 10_000,
});

/** What the readers need besides the input. */
export interface FieldContext {
  readonly members: readonly string[];
  readonly limits: CodecLimits;
}

/** A parsed JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `o` has exactly `n` own keys; with every expected key checked, no key is extra. */
export function hasKeyCount(o: JsonObject, n: number): boolean {
  let count = 0;
  for (const key in o) {
    if (Object.prototype.hasOwnProperty.call(o, key)) count++;
  }
  return count === n;
}

/** A slot number or a count: a positive safe integer. */
export function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

/** A watermark or a round: a non-negative safe integer (0 means "none yet"). */
export function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A ballot `{round, nodeId}` whose nodeId is a member. */
export function readBallot(v: unknown, ctx: FieldContext): Ballot | undefined {
  if (!isObject(v) || !hasKeyCount(v, 2)) return undefined;
  const { round, nodeId } = v;
  if (!isNonNegativeInt(round) || round > BALLOT_ROUND_MAX || typeof nodeId !== 'string' || !ctx.members.includes(nodeId)) return undefined;
  return { round, nodeId };
}

/** A client value `{id, payload}` with a non-empty id of bounded length. */
export function readClientValue(v: unknown, ctx: FieldContext): ClientValue | undefined {
  if (!isObject(v) || !hasKeyCount(v, 2)) return undefined;
  const { id, payload } = v;
  if (typeof id !== 'string' || id.length === 0 || id.length > ctx.limits.idLengthMax) return undefined;
  if (typeof payload !== 'string') return undefined;
  return { id, payload };
}

/** A list of client values, at most `valuesMax` long. */
export function readClientValues(v: unknown, ctx: FieldContext): ClientValue[] | undefined {
  return readArray(v, ctx.limits.valuesMax, (item) => readClientValue(item, ctx));
}

/** A slot value: `{kind: 'noop'}` or `{kind: 'batch', values}`. */
export function readSlotValue(v: unknown, ctx: FieldContext): SlotValue | undefined {
  if (!isObject(v)) return undefined;
  if (v.kind === 'noop') return hasKeyCount(v, 1) ? { kind: 'noop' } : undefined;
  if (v.kind !== 'batch' || !hasKeyCount(v, 2)) return undefined;
  const values = readClientValues(v.values, ctx);
  return values === undefined ? undefined : { kind: 'batch', values };
}

/** An accepted entry `{slot, ballot, value}`. */
export function readAcceptedEntry(v: unknown, ctx: FieldContext): AcceptedEntry | undefined {
  if (!isObject(v) || !hasKeyCount(v, 3) || !isPositiveInt(v.slot)) return undefined;
  const ballot = readBallot(v.ballot, ctx);
  const value = ballot && readSlotValue(v.value, ctx);
  return ballot && value ? { slot: v.slot, ballot, value } : undefined;
}

/** A chosen entry `{slot, value}`. */
export function readChosenEntry(v: unknown, ctx: FieldContext): ChosenEntry | undefined {
  if (!isObject(v) || !hasKeyCount(v, 2) || !isPositiveInt(v.slot)) return undefined;
  const value = readSlotValue(v.value, ctx);
  return value ? { slot: v.slot, value } : undefined;
}


/** Reads every item of an array of at most `max` items; undefined when any item is refused. */
export function readArray<T>(v: unknown, max: number, readItem: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(v) || v.length > max) return undefined;
  const out: T[] = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    const item = readItem(v[i]);
    if (item === undefined) return undefined;
    out[i] = item;
  }
  return out;
}
