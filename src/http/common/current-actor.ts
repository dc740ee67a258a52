import { type ExecutionContext, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '../../domain';

/** A request after the auth guard: the verified actor rides on `request.actor`. */
export interface ActorRequest extends Request {
  actor?: Actor;
}

/** The authenticated actor of a request; 401 when the auth guard put none there. */
export function actorOf(request: ActorRequest): Actor {
  if (request.actor === undefined) throw new UnauthorizedException('authentication required');
  return request.actor;
}

/** The handler parameter gets the request's Actor (see actorOf). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor =>
  actorOf(context.switchToHttp().getRequest<ActorRequest>()),
);
