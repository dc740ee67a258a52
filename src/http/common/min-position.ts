import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { ApiHeader, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { type Observable, from, switchMap } from 'rxjs';
import { ReadModelBehindError } from './api-error';
import { READ_PROJECTOR, type ReadModelPosition } from './tokens';

/** How long a read waits for its X-Min-Position before answering 503 "read model behind". */
export const MIN_POSITION_WAIT_MS = 5000;
/** The header a read names the log position it must see in. */
export const MIN_POSITION_HEADER = 'X-Min-Position';
/** The header every write answer carries its log position in. */
export const LOG_POSITION_HEADER = 'X-Log-Position';

const DIGITS = /^[0-9]{1,16}$/;

/**
 * The position a read must see: the larger of the `X-Min-Position` header and the `?minPosition=`
 * query, or undefined when neither is given.
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
 * Waits until the read models have applied the request's X-Min-Position (read-your-writes).
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

/** Makes the handler wait for the request's X-Min-Position / ?minPosition= first. */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(@Inject(READ_PROJECTOR) private readonly readModels: ReadModelPosition) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const position = parseMinPosition(request.headers['x-min-position'], request.query['minPosition']);
    return from(awaitMinPosition(this.readModels, position)).pipe(switchMap(() => next.handle()));
  }
}

/** A read that honours X-Min-Position / ?minPosition= (read-your-writes, bounded wait). */
export function ReadsAfterMinPosition(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseInterceptors(MinPositionInterceptor),
    ApiHeader({ name: MIN_POSITION_HEADER, required: false, description: 'wait until the read model has applied this log position' }),
    ApiServiceUnavailableResponse({ description: 'the read model did not reach X-Min-Position in time (Retry-After)' }),
  );
}
