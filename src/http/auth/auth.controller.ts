import { Body, Controller, HttpCode, HttpException, HttpStatus, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthService } from '../../auth/auth.service';
import { InvalidCredentialsError } from '../../auth/auth-errors';
import { LoginThrottle } from '../../auth/login-throttle';
import { LoginDto, LoginResponseDto } from './login.dto';
import { Public } from './public.decorator';

/** Login: exchanges a username and password for an access token. */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in; answers a bearer token' })
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
      return result;
    } catch (error) {
      if (!(error instanceof InvalidCredentialsError)) throw error;
      this.throttle.failed(body.username, address);
      throw new UnauthorizedException(error.message);
    }
  }
}
