/** One client value: the command id makes a retried value recognisable; the payload is opaque. */
export interface ClientValue {
  readonly id: string;
  readonly payload: string;
}

/** What a slot holds: a batch of client values, or a no-op that fills a hole. */
export type SlotValue =
  | { readonly kind: 'batch'; readonly values: readonly ClientValue[] }
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
  const known = jsonOfValue.get(value);
  if (known !== undefined) return known;
  const text = JSON.stringify({ kind: 'batch', values: value.values.map((v) => ({ id: v.id, payload: v.payload })) });
  jsonOfValue.set(value, text);
  return text;
}

/** A canonical string form of a value, for equality checks. */
export function valueKey(value: SlotValue): string {
  return slotValueJson(value);
}

/** Payload bytes a value carries (the part batching limits). */
export function valueBytes(value: ClientValue): number {
  return value.id.length + value.payload.length;
}
