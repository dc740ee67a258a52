import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { AuthService } from '../../auth/auth.service';
import { InvalidTokenError } from '../../auth/auth-errors';
import { bearerToken } from '../../auth/bearer-token';
import type { AuthenticatedRequest } from './authenticated-request';
import { IS_PUBLIC_KEY } from './public.decorator';
import { CSRF_HEADER, csrfTokenMatches, isSafeMethod, sessionToken } from './session-cookie';

/**
 * The global guard: every route needs `Authorization: Bearer <token>`, or else the web app's
 * session cookie, unless it is @Public. Sets `request.actor` (and `request.accessToken`) from the
 * verified token. A cookie-authenticated request that may change something (not GET/HEAD/OPTIONS)
 * must echo the session's CSRF token in `X-CSRF-Token`; a bearer token needs none (no browser
 * sends it on its own).
 *
 * @throws UnauthorizedException (401, API.md error shape) when the token is missing or refused;
 *   ForbiddenException (403) for a cookie-authenticated write without the right CSRF token.
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
    const cookie = request.headers.authorization === undefined ? sessionToken(request) : undefined;
    try {
      const token = cookie ?? bearerToken(request.headers.authorization);
      request.actor = await this.auth.verify(token);
      request.accessToken = token;
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      const hasToken = request.headers.authorization !== undefined;
      context
        .switchToHttp()
        .getResponse<Response>()
        .setHeader('WWW-Authenticate', hasToken ? 'Bearer error="invalid_token"' : 'Bearer');
      throw new UnauthorizedException(error.message);
    }
    if (cookie !== undefined && !isSafeMethod(request.method) && !csrfTokenMatches(cookie, request.headers[CSRF_HEADER])) {
      throw new ForbiddenException('missing or wrong CSRF token: send the csrf cookie\'s value in X-CSRF-Token');
    }
    return true;
  }
}
