import { SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role } from '../../domain';
import { ROLES_KEY, RolesGuard } from './roles.guard';

export { ROLES_KEY };

/**
 * Lets only actors holding one of `roles` call the route (or the controller's routes; a method's
 * own @Roles wins over its class's): 401 without an actor, 403 for another role. Without @Roles
 * any authenticated actor may call it.
 *
 * @example @Roles('admin', 'club') @Post('batch') batch() { ... }
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
