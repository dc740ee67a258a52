import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  applyDecorators,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { type Role, hasRole } from '../../domain';
import { type ActorRequest, actorOf } from './current-actor';

const ROLES_KEY = 'http:roles';

/**
 * Only actors of `roles` may call the handler: 401 without an actor, 403 for another role. Runs
 * after the global auth guard (which puts the actor on the request), before the pipe.
 *
 * @example @Roles('admin') @Post() create(...) {}
 */
export function Roles(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(RolesGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'no or bad token' }),
    ApiForbiddenResponse({ description: `only ${roles.join(', ')}` }),
  );
}

/** Enforces @Roles: the handler's roles, else the controller's. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    const actor = actorOf(context.switchToHttp().getRequest<ActorRequest>());
    if (roles !== undefined && !hasRole(actor, roles)) throw new ForbiddenException(`only ${roles.join(', ')} may do this`);
    return true;
  }
}
