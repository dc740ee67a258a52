import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { AuthService } from '../../auth/auth.service';
import { InvalidTokenError } from '../../auth/auth-errors';
import { bearerToken } from '../../auth/bearer-token';
import type { AuthenticatedRequest } from './authenticated-request';
import { IS_PUBLIC_KEY } from './public.decorator';

/**
 * The global guard: every route needs `Authorization: Bearer <token>` unless it is @Public. Sets
 * `request.actor` from the verified token.
 *
 * @throws UnauthorizedException (401, API.md error shape) when the token is missing or refused.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
    // Only HTTP is guarded here; NATS handlers check their header with actorFromHeaders.
    if (context.getType() !== 'http') throw new UnauthorizedException('authentication required');
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      request.actor = await this.auth.verify(bearerToken(request.headers.authorization));
      return true;
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      const hasToken = request.headers.authorization !== undefined;
      context
        .switchToHttp()
        .getResponse<Response>()
        .setHeader('WWW-Authenticate', hasToken ? 'Bearer error="invalid_token"' : 'Bearer');
      throw new UnauthorizedException(error.message);
    }
  }
}
