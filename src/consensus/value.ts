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

/** A canonical string form of a value, for equality checks and sizes. */
export function valueKey(value: SlotValue): string {
  if (value.kind === 'noop') return 'noop';
  return JSON.stringify(value.values.map((v) => [v.id, v.payload]));
}

/** Payload bytes a value carries (the part batching limits). */
export function valueBytes(value: ClientValue): number {
  return value.id.length + value.payload.length;
}
