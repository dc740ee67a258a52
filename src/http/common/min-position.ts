import {
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
import {
  CONSISTENCY_HEADER,
  MIN_POSITION_HEADER,
  READ_POSITION_HEADER,
  type ReadModelPosition,
  awaitMinPosition,
  parseMinPosition,
} from '../../api/min-position';
import { QUORUM_PROBE, type QuorumProbe, READ_PROJECTOR } from './tokens';

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
