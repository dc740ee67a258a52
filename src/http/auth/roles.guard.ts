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
import { ROLES_KEY } from './roles.decorator';

/**
 * The global roles guard, run after JwtAuthGuard: a route with @Roles(...) admits only actors
 * holding one of them.
 *
 * @throws ForbiddenException (403) for another role; UnauthorizedException (401) when no actor is set.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles === undefined) return true;
    const { actor } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (actor === undefined) throw new UnauthorizedException('authentication required');
    if (!hasRole(actor, roles)) throw new ForbiddenException(`role ${actor.role} may not do this`);
    return true;
  }
}
