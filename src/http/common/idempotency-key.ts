import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { parseIdempotencyKey } from '../../api/idempotency-key';

/** The handler parameter gets the request's Idempotency-Key (see parseIdempotencyKey). */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined =>
  parseIdempotencyKey(context.switchToHttp().getRequest<Request>().headers['idempotency-key']),
);
