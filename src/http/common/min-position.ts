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
import type { Request, Response } from 'express';
import { type Observable, from, switchMap } from 'rxjs';
import { ReadModelBehindError } from './api-error';
import { QUORUM_PROBE, type QuorumProbe, READ_PROJECTOR, type ReadModelPosition } from './tokens';

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

/**
 * Makes the handler wait for the request's X-Min-Position / ?minPosition= first, then marks the
 * answer with the position the read models reflect and whether it may be stale (no quorum: the
 * node serves its local read models, which may miss writes a majority decided without it).
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(
    @Inject(READ_PROJECTOR) private readonly readModels: ReadModelPosition,
    @Inject(QUORUM_PROBE) private readonly quorum: QuorumProbe,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const position = parseMinPosition(request.headers['x-min-position'], request.query['minPosition']);
    return from(awaitMinPosition(this.readModels, position)).pipe(
      switchMap(() => {
        response.setHeader(READ_POSITION_HEADER, String(this.readModels.position));
        response.setHeader(CONSISTENCY_HEADER, this.quorum.hasQuorum() ? 'current' : 'stale');
        return next.handle();
      }),
    );
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
