import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Role, hasRole } from '../../domain';
import type { AuthenticatedRequest } from './authenticated-request';

/** Metadata key of @Roles(), the only one. */
export const ROLES_KEY = 'roles';

/**
 * The roles guard, the only one: @Roles(...) installs it on the route or controller, and it runs
 * after the global JwtAuthGuard (which puts the actor on the request). A method's own @Roles wins
 * over its class's; without @Roles any authenticated actor passes.
 *
 * @throws UnauthorizedException (401) when no actor is set; ForbiddenException (403) for another role.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (roles === undefined) return true;
    const { actor } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (actor === undefined) throw new UnauthorizedException('authentication required');
    if (!hasRole(actor, roles)) throw new ForbiddenException(`role ${actor.role} may not do this`);
    return true;
  }
}
