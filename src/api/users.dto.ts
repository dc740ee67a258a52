import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role, USER_CLASSES_MAX } from '../domain';
import { Absent, FIELD_LIMITS, IsEntityId, IsText, IsUsername, PresentUnlessAnyOf } from './field-rules';
import { PageQueryDto } from './paging.dto';

/** Body of POST /api/users. */
export class CreateUserDto {
  @ApiProperty({ example: 'teacher-kim', pattern: '^[a-z0-9][a-z0-9._-]{2,63}$' })
  @IsUsername()
  username!: string;

  @ApiProperty({ minLength: FIELD_LIMITS.passwordMin, maxLength: FIELD_LIMITS.passwordMax, format: 'password' })
  @IsString()
  @Length(FIELD_LIMITS.passwordMin, FIELD_LIMITS.passwordMax)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({ example: 'Ms Kim', maxLength: FIELD_LIMITS.displayName })
  @IsText(FIELD_LIMITS.displayName)
  displayName!: string;

  @ApiPropertyOptional({ description: 'required for (and only for) a student user', example: 's-1' })
  @Absent()
  @IsEntityId()
  studentId?: string;
}

/** Body of PATCH /api/users/:username: at least one of role, disabled, displayName. */
export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES })
  @PresentUnlessAnyOf('disabled', 'displayName')
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'true disables the user, false enables them again' })
  @Absent()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ example: 'Ms Kim', maxLength: FIELD_LIMITS.displayName })
  @Absent()
  @IsText(FIELD_LIMITS.displayName)
  displayName?: string;
}

/** Body of POST /api/users/:username/password: the new password (an admin's reset). */
export class ResetPasswordDto {
  @ApiProperty({ minLength: FIELD_LIMITS.passwordMin, maxLength: FIELD_LIMITS.passwordMax, format: 'password' })
  @IsString()
  @Length(FIELD_LIMITS.passwordMin, FIELD_LIMITS.passwordMax)
  password!: string;
}

/** Body of PUT /api/users/:username/classes: the whole list of a teacher's or club's classes. */
export class AssignClassesDto {
  @ApiProperty({
    type: [String],
    maxItems: USER_CLASSES_MAX,
    description: `class names (the className students carry), at most ${USER_CLASSES_MAX}, each 1..${FIELD_LIMITS.className} characters, none twice; [] assigns none`,
    example: ['7A', '7B'],
  })
  @IsArray()
  @ArrayMaxSize(USER_CLASSES_MAX)
  @IsString({ each: true })
  @Length(1, FIELD_LIMITS.className, { each: true })
  @Matches(/\S/, { each: true, message: 'each value in $property must not be blank' })
  classes!: string[];
}

/** Query of GET /api/users. */
export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @Absent()
  @IsIn(ROLES)
  role?: Role;
}

/** Path of /api/users/:username. */
export class UsernameParams {
  @ApiProperty()
  @IsUsername()
  username!: string;
}

/** GET /api/auth/me answer. */
export class MeDto {
  @ApiProperty({ example: 'teacher-kim' })
  username!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ example: 'Ms Kim' })
  displayName!: string;

  @ApiPropertyOptional({ description: 'the bound student, for a student user', example: 's-1' })
  studentId?: string;

  @ApiProperty({ type: [String], description: 'the classes a teacher or club looks after, in the order assigned (empty for other roles)', example: ['7A'] })
  classes!: string[];
}
