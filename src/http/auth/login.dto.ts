import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PASSWORD_LENGTH_MAX } from '../../auth/password';
import type { Role } from '../../domain';

/** Usernames are at most this long (the domain's rule: 3..64). */
const USERNAME_LENGTH_MAX = 64;

/** POST /api/auth/login body. */
export class LoginDto {
  @ApiProperty({ example: 'admin', minLength: 1, maxLength: USERNAME_LENGTH_MAX })
  @IsString()
  @Length(1, USERNAME_LENGTH_MAX)
  username!: string;

  @ApiProperty({ example: 'change-me', minLength: 1, maxLength: PASSWORD_LENGTH_MAX, format: 'password' })
  @IsString()
  @Length(1, PASSWORD_LENGTH_MAX)
  password!: string;
}

/** POST /api/auth/login answer. */
export class LoginResponseDto {
  @ApiProperty({ description: 'JWT to send as `Authorization: Bearer <token>`' })
  accessToken!: string;

  @ApiProperty({ description: 'seconds until the token expires', example: 3600 })
  expiresIn!: number;

  @ApiProperty({ enum: ['admin', 'teacher', 'club', 'student'] })
  role!: Role;

  @ApiProperty({ description: 'the CSRF token (also in the `csrf` cookie) a cookie-authenticated write echoes in `X-CSRF-Token`' })
  csrfToken!: string;
}
