import { Body, Controller, HttpCode, HttpStatus, Inject, Post, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthService } from '../../auth/auth.service';
import { InvalidCredentialsError } from '../../auth/auth-errors';
import { LoginDto, LoginResponseDto } from './login.dto';
import { Public } from './public.decorator';

/** Login: exchanges a username and password for an access token. */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in; answers a bearer token' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'unknown user, wrong password or disabled user (one answer for all)' })
  async login(@Body() body: LoginDto): Promise<LoginResponseDto> {
    try {
      return await this.auth.login(body.username, body.password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw new UnauthorizedException(error.message);
      throw error;
    }
  }
}
