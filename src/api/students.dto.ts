import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Absent, FIELD_LIMITS, IsEntityId, IsText, PresentUnlessAnyOf } from './field-rules';
import { PageQueryDto } from './paging.dto';

/** Body of POST /api/students. */
export class RegisterStudentDto {
  @ApiProperty({ example: 's-1', pattern: '^[A-Za-z0-9_-]{1,64}$' })
  @IsEntityId()
  studentId!: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: FIELD_LIMITS.name })
  @IsText(FIELD_LIMITS.name)
  name!: string;

  @ApiProperty({ example: '7B', maxLength: FIELD_LIMITS.className })
  @IsText(FIELD_LIMITS.className)
  className!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: FIELD_LIMITS.initialScoreMax, default: 100 })
  @Absent()
  @IsInt()
  @Min(0)
  @Max(FIELD_LIMITS.initialScoreMax)
  initialScore?: number;
}

/** Body of PATCH /api/students/:studentId: at least one of name, className. */
export class CorrectStudentDto {
  @ApiPropertyOptional({ maxLength: FIELD_LIMITS.name })
  @PresentUnlessAnyOf('className')
  @IsText(FIELD_LIMITS.name)
  name?: string;

  @ApiPropertyOptional({ maxLength: FIELD_LIMITS.className, description: 'moves the student to another class' })
  @Absent()
  @IsText(FIELD_LIMITS.className)
  className?: string;
}

/** Path of /api/students/:studentId. */
export class StudentIdParams {
  @ApiProperty({ example: 's-1' })
  @IsEntityId()
  studentId!: string;
}

/** Query of GET /api/students. */
export class ListStudentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '7B' })
  @Absent()
  @IsText(FIELD_LIMITS.className)
  className?: string;
}
