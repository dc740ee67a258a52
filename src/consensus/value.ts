import type { MembershipChange } from './membership';

/** One client value: the command id makes a retried value recognisable; the payload is opaque. */
export interface ClientValue {
  readonly id: string;
  readonly payload: string;
}

/** What a slot holds: a batch of client values, a membership change, or a no-op that fills a hole. */
export type SlotValue =
  | { readonly kind: 'batch'; readonly values: readonly ClientValue[] }
  | { readonly kind: 'config'; readonly change: MembershipChange }
  | { readonly kind: 'noop' };

/** The no-op value a new leader proposes for a slot nobody reported. */
export const NOOP: SlotValue = Object.freeze({ kind: 'noop' });

/** A slot and the value chosen for it. */
export interface ChosenEntry {
  readonly slot: number;
  readonly value: SlotValue;
}

/** A slot an acceptor accepted: the ballot and the value. */
export interface AcceptedEntry {
  readonly slot: number;
  readonly ballot: import('./ballot').Ballot;
  readonly value: SlotValue;
}

const jsonOfValue = new WeakMap<SlotValue, string>();

/**
 * The canonical JSON text of a value, fields in a fixed order: what the wire and the stored log
 * carry. Memoized per value object, because one value is encoded for every peer, the accept row
 * and the chosen row.
 *
 * @example slotValueJson(NOOP) // '{"kind":"noop"}'
 */
export function slotValueJson(value: SlotValue): string {
  if (value.kind === 'noop') return '{"kind":"noop"}';
  if (value.kind === 'config') return configValueJson(value.change);
  const known = jsonOfValue.get(value);
  if (known !== undefined) return known;
  const text = JSON.stringify({ kind: 'batch', values: value.values.map((v) => ({ id: v.id, payload: v.payload })) });
  jsonOfValue.set(value, text);
  return text;
}

/** The canonical JSON of a membership change: fields in a fixed order, absent ones left out. */
function configValueJson(change: MembershipChange): string {
  const incarnation = 'incarnation' in change && change.incarnation !== undefined ? { incarnation: change.incarnation } : {};
  return JSON.stringify({ kind: 'config', change: { id: change.id, op: change.op, nodeId: change.nodeId, ...incarnation } });
}

/** A canonical string form of a value, for equality checks. */
export function valueKey(value: SlotValue): string {
  return slotValueJson(value);
}

/** Bytes a client value takes in a message: its id and payload as UTF-8 JSON strings, escapes included. */
export function valueBytes(value: ClientValue): number {
  return jsonStringBytes(value.id) + jsonStringBytes(value.payload) + CLIENT_VALUE_OVERHEAD;
}

/** Bytes a slot value takes in a message, escapes included (an upper bound of `slotValueJson`'s UTF-8 length). */
export function slotValueBytes(value: SlotValue): number {
  if (value.kind === 'noop') return 16;
  if (value.kind === 'config') return 64 + jsonStringBytes(configValueJson(value.change));
  let bytes = 32;
  for (const v of value.values) bytes += valueBytes(v);
  return bytes;
}

const CLIENT_VALUE_OVERHEAD = 20;

/**
 * UTF-8 bytes of `text` written as a JSON string: quotes and backslashes take two, control
 * characters up to six, others their UTF-8 length. Counting UTF-16 units instead undercounts
 * non-Latin text threefold, and escapes double a quote-heavy payload.
 */
export function jsonStringBytes(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x20) bytes += 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdfff) bytes += 2;
    else bytes += 3;
  }
  return bytes;
}
