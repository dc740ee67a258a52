import { type CustomDecorator, SetMetadata } from '@nestjs/common';
import type { Role } from '../../domain';

/** Metadata key of @Roles(). */
export const ROLES_KEY = 'auth:roles';

/**
 * Lets only actors holding one of `roles` call the route (or the controller's routes; a method's
 * own @Roles wins over its class's). Without @Roles any authenticated actor may call it.
 *
 * @example @Roles('admin', 'club') @Post('batch') batch() { ... }
 */
export const Roles = (...roles: Role[]): CustomDecorator<string> => SetMetadata(ROLES_KEY, roles);
