import { type ExecutionContext, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import type { Actor } from '../../domain';
import type { AuthenticatedRequest } from './authenticated-request';

/** The authenticated actor of a request; 401 when the auth guard put none there (a @Public route). */
export function actorOf(request: AuthenticatedRequest): Actor {
  if (request.actor === undefined) throw new UnauthorizedException('authentication required');
  return request.actor;
}

/**
 * The handler parameter gets the request's verified Actor (see actorOf).
 *
 * @example @Get(':id') get(@CurrentActor() actor: Actor) { ... }
 */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor =>
  actorOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
