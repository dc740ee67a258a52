import { type CustomDecorator, SetMetadata } from '@nestjs/common';

/** Metadata key of @Public(). */
export const IS_PUBLIC_KEY = 'auth:public';

/**
 * Opens a route (or every route of a controller) to callers without a token: the global
 * JwtAuthGuard lets them through and sets no actor.
 *
 * @example @Public() @Get('live') live() { ... }
 */
export const Public = (): CustomDecorator<string> => SetMetadata(IS_PUBLIC_KEY, true);
