import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthService } from '../../auth/auth.service';
import { InvalidCredentialsError } from '../../auth/auth-errors';
import { LoginDto, LoginResponseDto } from './login.dto';
import { Public } from './public.decorator';
import { clearSessionCookies, sessionToken, setSessionCookies } from './session-cookie';

/**
 * Login and logout. The login answers a bearer token for programs and also sets the web app's
 * session cookies (see session-cookie.ts); logout clears them.
 */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log in; answers a bearer token and sets the session cookie (HttpOnly) and the csrf cookie',
  })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'unknown user, wrong password or disabled user (one answer for all)' })
  async login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginResponseDto> {
    try {
      const result = await this.auth.login(body.username, body.password);
      const csrfToken = setSessionCookies(request, response, result.accessToken, result.expiresIn);
      return { ...result, csrfToken };
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw new UnauthorizedException(error.message);
      throw error;
    }
  }

  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Log out: clears the session and csrf cookies; this node refuses the session's token from now on" })
  @ApiNoContentResponse({ description: 'the cookies are cleared' })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    const token = sessionToken(request);
    if (token !== undefined) await this.auth.revoke(token);
    clearSessionCookies(request, response);
  }
}
