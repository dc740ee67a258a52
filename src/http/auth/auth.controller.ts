import { Body, Controller, HttpCode, HttpException, HttpStatus, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LogoutNotRecordedError } from '../../api/api-error';
import type { CommandGateway } from '../../application/command-gateway';
import { DomainRefusal } from '../../application/domain-refusal';
import { sessionEndCommandId } from '../../application/idempotency';
import { NoQuorumError, UnknownOutcomeError } from '../../application/proposal-errors';
import { requestIdOf } from '../../application/write-metrics';
import { AuthService, type TokenSession } from '../../auth/auth.service';
import { InvalidCredentialsError, InvalidTokenError } from '../../auth/auth-errors';
import { bearerToken } from '../../auth/bearer-token';
import { LoginThrottle } from '../../auth/login-throttle';
import { LOGOUT_COMMANDS } from './auth.tokens';
import { LoginDto, LoginResponseDto } from './login.dto';
import { Public } from './public.decorator';
import { clearPendingLogoutCookie, clearSessionCookies, pendingLogoutTokens, sessionToken, setPendingLogoutCookie, setSessionCookies } from './session-cookie';

/**
 * Login and logout. The login answers a bearer token for programs and also sets the web app's
 * session cookies (see session-cookie.ts); logout ends the session on every node (through the
 * log) and clears them.
 */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(LOGOUT_COMMANDS) private readonly commands: CommandGateway | null,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log in; answers a bearer token and sets the session cookie (HttpOnly) and the csrf cookie',
  })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'unknown user, wrong password or disabled user (one answer for all)' })
  @ApiTooManyRequestsResponse({ description: 'too many failed logins for this account or from this address; Retry-After says when to try again' })
  async login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginResponseDto> {
    const address = request.ip ?? 'unknown';
    const wait = this.throttle.lockedFor(body.username, address);
    if (wait > 0) {
      response.setHeader('Retry-After', String(wait));
      throw new HttpException(`too many failed logins; retry in ${wait} s`, HttpStatus.TOO_MANY_REQUESTS);
    }
    try {
      const result = await this.auth.login(body.username, body.password);
      this.throttle.succeeded(body.username);
      const csrfToken = setSessionCookies(request, response, result.accessToken, result.expiresIn);
      return { ...result, csrfToken };
    } catch (error) {
      if (!(error instanceof InvalidCredentialsError)) throw error;
      this.throttle.failed(body.username, address);
      throw new UnauthorizedException(error.message);
    }
  }

  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Log out: ends the session on every node and clears the session and csrf cookies',
    description:
      'Ends the session the request carries (Authorization: Bearer <token>, else the session cookie): this node refuses the token at once, ' +
      'and the logout is recorded in the log (UserSessionEnded), after which every node refuses it, after a restart too. ' +
      'A logout by cookie also records the logouts the logout_pending cookie holds (earlier web logouts the cluster could not record). ' +
      "The user's other sessions go on. Without a valid token it only clears the cookies. A repeated logout of one token is recorded once.",
  })
  @ApiNoContentResponse({ description: 'the session is ended on every node (or there was none); the cookies are cleared' })
  @ApiServiceUnavailableResponse({
    description:
      'the logout is not yet recorded cluster-wide (no quorum, timeout): this node refuses the token and the cookies are cleared, ' +
      'but other nodes may take it until it expires; retry with the bearer token after Retry-After. A cookie-authenticated logout ' +
      'keeps every token it could not record in the HttpOnly logout_pending cookie (path /api/auth/logout only, authenticating nothing) ' +
      'for the retry or the next logout.',
  })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    clearSessionCookies(request, response);
    const authorization = request.headers.authorization;
    if (authorization === undefined) return this.logoutByCookies(request, response);
    const token = bearerOrUndefined(authorization);
    const session = token === undefined ? undefined : this.auth.revoke(token);
    if (session !== undefined) await this.record(session, response);
  }

  /**
   * The web app's logout: ends the session cookie's token and every token of the pending-logout
   * cookie (earlier logouts the cluster could not record, of this session or of one before it),
   * recorded side by side. The pending-logout cookie is cleared once all are recorded, else it
   * keeps those that are not, so that no logout is dropped.
   *
   * @throws LogoutNotRecordedError (503) when any of them could not be recorded now
   */
  private async logoutByCookies(request: Request, response: Response): Promise<void> {
    // Oldest first, the session's own last: setPendingLogoutCookie keeps the latest when there are too many.
    const tokens = new Set([...pendingLogoutTokens(request), sessionToken(request)].filter((token) => token !== undefined));
    const ending = [...tokens].flatMap((token) => {
      const session = this.auth.revoke(token);
      return session === undefined ? [] : [{ token, session }];
    });
    const outcomes = await Promise.allSettled(ending.map(({ session }) => this.record(session, response)));
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure === undefined) return clearPendingLogoutCookie(request, response);
    const unrecorded = ending.filter((_, i) => outcomes[i].status === 'rejected');
    setPendingLogoutCookie(request, response, unrecorded.map(({ token, session }) => ({ token, expiresAt: session.expiresAt })));
    throw failure.reason;
  }

  /**
   * Records the logout through the log, as its own user (the token's claims: no one ends another's
   * session), under a command id derived from the token, so a retry is recorded once.
   *
   * @throws LogoutNotRecordedError (503) when the cluster could not record it now
   */
  private async record(session: TokenSession, response: Response): Promise<void> {
    if (this.commands === null) return;
    const { actor, tokenId, expiresAt } = session;
    const command = { name: 'users.logout', data: { username: actor.username, tokenId, expiresAt } } as const;
    const requestId = requestIdOf(response.getHeader('X-Request-Id'));
    try {
      await this.commands.executeAs(command, actor, sessionEndCommandId(actor.username, tokenId), { source: 'rest', requestId });
    } catch (error) {
      if (error instanceof NoQuorumError) throw new LogoutNotRecordedError('no quorum', error.retryAfterSeconds);
      if (error instanceof UnknownOutcomeError) throw new LogoutNotRecordedError('timed out', 1);
      // A user the log does not know has no session anywhere to end.
      if (error instanceof DomainRefusal && error.error.code === 'not-found') return;
      if (error instanceof DomainRefusal) throw new LogoutNotRecordedError(error.error.message, 1);
      throw error;
    }
  }
}

/** The token of an Authorization header, or undefined when it is not a bearer credential. */
function bearerOrUndefined(header: string | string[]): string | undefined {
  try {
    return bearerToken(header);
  } catch (error) {
    if (error instanceof InvalidTokenError) return undefined;
    throw error;
  }
}
