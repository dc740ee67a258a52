import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Actor } from '../../domain';
import { assert } from '../../shared/assert';
import type { AuthenticatedRequest } from './authenticated-request';

/**
 * The verified actor of the request. Using it on a @Public route (where no actor is set) is a
 * programmer error and fails an assertion.
 *
 * @example @Get(':id') get(@CurrentActor() actor: Actor) { ... }
 */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  assert(request.actor !== undefined, '@CurrentActor() used on a route without an authenticated actor (@Public?)');
  return request.actor;
});
