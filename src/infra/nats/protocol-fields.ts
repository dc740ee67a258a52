import { INCARNATION_PATTERN, type MembershipChange, NODE_ID_PATTERN } from '../../consensus/membership';
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
  /** The founding members; kept for callers, not a limit: nodes join later (any valid id may speak, NATS permissions say who). */
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

/** A ballot `{round, nodeId}` whose nodeId is a valid node id. */
export function readBallot(v: unknown, _ctx: FieldContext): Ballot | undefined {
  if (!isObject(v) || !hasKeyCount(v, 2)) return undefined;
  const { round, nodeId } = v;
  if (!isNonNegativeInt(round) || round > BALLOT_ROUND_MAX || typeof nodeId !== 'string' || !NODE_ID_PATTERN.test(nodeId)) return undefined;
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

/** A slot value: `{kind: 'noop'}`, `{kind: 'batch', values}` or `{kind: 'config', change}`. */
export function readSlotValue(v: unknown, ctx: FieldContext): SlotValue | undefined {
  if (!isObject(v)) return undefined;
  if (v.kind === 'noop') return hasKeyCount(v, 1) ? { kind: 'noop' } : undefined;
  if (v.kind === 'config') {
    const change = hasKeyCount(v, 2) ? readMembershipChange(v.change) : undefined;
    return change && { kind: 'config', change };
  }
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

/** A membership change `{id, op, nodeId, incarnation?}`, each field checked. */
export function readMembershipChange(v: unknown): MembershipChange | undefined {
  if (!isObject(v)) return undefined;
  const { id, op, nodeId, incarnation } = v;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(id) || typeof nodeId !== 'string' || !NODE_ID_PATTERN.test(nodeId)) return undefined;
  const hasIncarnation = incarnation !== undefined;
  if (hasIncarnation && (typeof incarnation !== 'string' || !INCARNATION_PATTERN.test(incarnation))) return undefined;
  if (!hasKeyCount(v, hasIncarnation ? 4 : 3)) return undefined;
  switch (op) {
    case 'add-learner':
      return hasIncarnation ? { id, op, nodeId, incarnation: incarnation as string } : { id, op, nodeId };
    case 'promote':
    case 'bind':
      return hasIncarnation ? { id, op, nodeId, incarnation: incarnation as string } : undefined;
    case 'remove':
      return hasIncarnation ? undefined : { id, op, nodeId };
    default:
      return undefined;
  }
}
