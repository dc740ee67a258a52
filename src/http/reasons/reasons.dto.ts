import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, Max, Min, NotEquals } from 'class-validator';
import { REASON_DELTA_MAX, REASON_LABEL_MAX, REASON_POLARITIES, type ReasonPolarity } from '../../domain';
import { Absent, IsReasonCode, IsText, PresentUnlessAnyOf } from '../../api/field-rules';

/** Body of POST /api/reasons. */
export class CreateReasonDto {
  @ApiProperty({ example: 'helped', pattern: '^[a-z][a-z0-9_-]{1,31}$' })
  @IsReasonCode()
  code!: string;

  @ApiProperty({ example: '助人为乐', maxLength: REASON_LABEL_MAX })
  @IsText(REASON_LABEL_MAX)
  labelZh!: string;

  @ApiProperty({ example: 'Helped others', maxLength: REASON_LABEL_MAX })
  @IsText(REASON_LABEL_MAX)
  labelEn!: string;

  @ApiProperty({ example: 2, minimum: -REASON_DELTA_MAX, maximum: REASON_DELTA_MAX, description: 'non-zero; above 0 for a positive reason, below for a negative one' })
  @IsInt()
  @Min(-REASON_DELTA_MAX)
  @Max(REASON_DELTA_MAX)
  @NotEquals(0, { message: '$property must not be 0' })
  defaultDelta!: number;

  @ApiProperty({ enum: REASON_POLARITIES })
  @IsIn(REASON_POLARITIES)
  polarity!: ReasonPolarity;

  @ApiPropertyOptional({ default: true })
  @Absent()
  @IsBoolean()
  active?: boolean;
}

/** Body of PATCH /api/reasons/:code: at least one field. */
export class UpdateReasonDto {
  @ApiPropertyOptional({ maxLength: REASON_LABEL_MAX })
  @PresentUnlessAnyOf('labelEn', 'defaultDelta', 'polarity', 'active')
  @IsText(REASON_LABEL_MAX)
  labelZh?: string;

  @ApiPropertyOptional({ maxLength: REASON_LABEL_MAX })
  @Absent()
  @IsText(REASON_LABEL_MAX)
  labelEn?: string;

  @ApiPropertyOptional({ minimum: -REASON_DELTA_MAX, maximum: REASON_DELTA_MAX })
  @Absent()
  @IsInt()
  @Min(-REASON_DELTA_MAX)
  @Max(REASON_DELTA_MAX)
  @NotEquals(0, { message: '$property must not be 0' })
  defaultDelta?: number;

  @ApiPropertyOptional({ enum: REASON_POLARITIES })
  @Absent()
  @IsIn(REASON_POLARITIES)
  polarity?: ReasonPolarity;

  @ApiPropertyOptional({ description: 'false retires the reason: new changes cannot name it; old records keep it' })
  @Absent()
  @IsBoolean()
  active?: boolean;
}

/** Path of /api/reasons/:code. */
export class ReasonCodeParams {
  @ApiProperty({ example: 'helped' })
  @IsReasonCode()
  code!: string;
}

/** One reason of the catalogue. */
export class ReasonDto {
  @ApiProperty({ example: 'helped' })
  code!: string;
  @ApiProperty({ example: '助人为乐' })
  labelZh!: string;
  @ApiProperty({ example: 'Helped others' })
  labelEn!: string;
  @ApiProperty({ example: 2 })
  defaultDelta!: number;
  @ApiProperty({ enum: REASON_POLARITIES })
  polarity!: ReasonPolarity;
  @ApiProperty()
  active!: boolean;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ description: 'log position of its last change' })
  position!: number;
}

/** The allowed score range, both ends included. */
export class ScoreRangeDto {
  @ApiProperty({ example: 0 })
  min!: number;
  @ApiProperty({ example: 200 })
  max!: number;
}

/** GET /api/reasons answer: the catalogue and the score range it applies to. */
export class ReasonListDto {
  @ApiProperty({ type: [ReasonDto] })
  items!: ReasonDto[];
  @ApiProperty({ type: ScoreRangeDto })
  scoreRange!: ScoreRangeDto;
}

/** GET /api/config answer: what the app needs to know of this deployment. */
export class ClientConfigDto {
  @ApiProperty({ type: ScoreRangeDto })
  scoreRange!: ScoreRangeDto;
  @ApiProperty({ example: 100, description: 'the score a registration without initialScore starts with' })
  defaultInitialScore!: number;
}
