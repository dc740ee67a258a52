import { BadRequestException } from '@nestjs/common';
import type { Projector } from '../projections';
import { ReadModelBehindError } from './api-error';

/** What a read waits on for its minimum position, and the position reads reflect (the Projector of the live read models serves). */
export type ReadModelPosition = Pick<Projector, 'waitFor' | 'position'>;

/** How long a read waits for its X-Min-Position before answering 503 "read model behind". */
export const MIN_POSITION_WAIT_MS = 5000;
/** The header a read names the log position it must see in. */
export const MIN_POSITION_HEADER = 'X-Min-Position';
/** The header every write answer carries its log position in. */
export const LOG_POSITION_HEADER = 'X-Log-Position';
/** The log position the read models had applied when the read ran (the answer reflects at least it). */
export const READ_POSITION_HEADER = 'X-Read-Position';
/** `current` while the node counts on a quorum, `stale` without one (the answer may miss writes decided elsewhere). */
export const CONSISTENCY_HEADER = 'X-Consistency';

const DIGITS = /^[0-9]{1,16}$/;

/**
 * The position a REST read must see: the larger of the `X-Min-Position` header and the
 * `?minPosition=` query, or undefined when neither is given.
 *
 * @throws BadRequestException when either is not a non-negative integer (or is given twice)
 */
export function parseMinPosition(header: unknown, query: unknown): number | undefined {
  const positions = [parseOne(MIN_POSITION_HEADER, header), parseOne('minPosition', query)].filter(
    (p): p is number => p !== undefined,
  );
  return positions.length === 0 ? undefined : Math.max(...positions);
}

function parseOne(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DIGITS.test(value) || !Number.isSafeInteger(Number(value)))
    throw new BadRequestException(`${name} must be a non-negative integer`);
  return Number(value);
}

/**
 * Waits until the read models have applied the request's minimum position (read-your-writes): a
 * REST read's X-Min-Position, a NATS query's `minPosition`.
 *
 * @throws ReadModelBehindError (503, Retry-After) when they do not within MIN_POSITION_WAIT_MS
 */
export async function awaitMinPosition(readModels: ReadModelPosition, position: number | undefined): Promise<void> {
  if (position === undefined || position === 0) return;
  try {
    await readModels.waitFor(position, MIN_POSITION_WAIT_MS);
  } catch {
    // A timeout, too many waiting reads or a stopping projector: all mean "not now, retry".
    throw new ReadModelBehindError(position);
  }
}
