import { assert } from '../../shared/assert';
import { readMembershipChange } from '../nats/protocol-fields';
import { type ClientValue, type SlotValue, slotValueJson } from '../../consensus/value';

/**
 * The JSON text a SlotValue is stored as. Built field by field in a fixed order, so the same
 * value always gives the same text and stored values can be compared as text.
 *
 * @example encodeSlotValue(NOOP) // '{"kind":"noop"}'
 */
export function encodeSlotValue(value: SlotValue): string {
  return slotValueJson(value);
}

/**
 * Parses a stored SlotValue back. Stored text that is not one is a corrupted log.
 *
 * @throws AssertionError naming `where` when the text is not a valid SlotValue.
 */
export function decodeSlotValue(text: string, where: string): SlotValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert(false, `${where}: stored value is not JSON`);
  }
  assert(isObject(parsed), `${where}: stored value is not an object`);
  if (parsed.kind === 'noop') return { kind: 'noop' };
  if (parsed.kind === 'config') {
    const change = readMembershipChange(parsed.change);
    assert(change !== undefined, `${where}: stored membership change is malformed`);
    return { kind: 'config', change };
  }
  assert(parsed.kind === 'batch' && Array.isArray(parsed.values), `${where}: stored value has no known kind`);
  const values: unknown[] = parsed.values;
  assert(values.every(isClientValue), `${where}: stored batch holds a malformed client value`);
  return { kind: 'batch', values };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function isClientValue(x: unknown): x is ClientValue {
  return isObject(x) && typeof x.id === 'string' && typeof x.payload === 'string';
}
