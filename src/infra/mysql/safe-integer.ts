import { assert } from '../../shared/assert';

/**
 * A BIGINT read back from mysql2 as a JS number. mysql2 hands back a string once a value
 * leaves the safe-integer range; slots and rounds never should, so that is a broken invariant.
 *
 * @throws AssertionError when `value` is not a safe integer.
 */
export function readSafeInteger(value: unknown, what: string): number {
  assert(
    typeof value === 'number' && Number.isSafeInteger(value),
    `${what} must be a safe integer, got ${String(value)}`,
  );
  return value;
}
