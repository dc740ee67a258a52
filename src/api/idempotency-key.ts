import { BadRequestException } from '@nestjs/common';

/** Longest Idempotency-Key accepted. */
export const IDEMPOTENCY_KEY_MAX = 128;
/** Visible ASCII only: the key is stored and compared as given. */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/**
 * A request's `Idempotency-Key` (REST header or NATS header), or undefined when absent.
 *
 * @throws BadRequestException when it is empty, longer than IDEMPOTENCY_KEY_MAX, repeated or not visible ASCII
 */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestException('Idempotency-Key must be given once');
  if (value.length === 0 || value.length > IDEMPOTENCY_KEY_MAX || !KEY_PATTERN.test(value))
    throw new BadRequestException(`Idempotency-Key must be 1..${IDEMPOTENCY_KEY_MAX} visible ASCII characters`);
  return value;
}
