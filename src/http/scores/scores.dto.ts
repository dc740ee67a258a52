import { ApiProperty } from '@nestjs/swagger';
import { FIELD_LIMITS, IsDelta, IsEntityId, IsText } from '../common/field-rules';

/** Body of POST /api/scores/modify (and of POST /api/applications). */
export class ScoreChangeDto {
  @ApiProperty({ example: 's-1' })
  @IsEntityId()
  studentId!: string;

  @ApiProperty({ minimum: -FIELD_LIMITS.deltaMax, maximum: FIELD_LIMITS.deltaMax, example: -5, description: 'an integer other than 0' })
  @IsDelta()
  delta!: number;

  @ApiProperty({ example: 'late to class', maxLength: FIELD_LIMITS.reason })
  @IsText(FIELD_LIMITS.reason)
  reason!: string;
}
