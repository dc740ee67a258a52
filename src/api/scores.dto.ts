import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import type { ApiCommand } from '../application/command-gateway';
import { DEFAULT_SAGA_SETTINGS } from '../sagas';
import { Absent, FIELD_LIMITS, IsDelta, IsEntityId, IsReasonCode, IsText } from './field-rules';

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

  @ApiPropertyOptional({ example: 'late', description: 'a code of the reason catalogue; it must be active (422 otherwise)' })
  @Absent()
  @IsReasonCode()
  reasonCode?: string;
}

/** Students one batch adjustment may change, at most. */
export const BATCH_STUDENTS_MAX = DEFAULT_SAGA_SETTINGS.batchStudentsMax;
/** The largest body of a batch (5,000 changes of long ids), over REST and NATS alike. */
export const BATCH_BODY_BYTES_MAX = 512 * 1024;

/** One change of POST /api/scores/batch. */
export class BatchChangeDto {
  @ApiProperty({ example: 's-1' })
  @IsEntityId()
  studentId!: string;

  @ApiProperty({ minimum: -FIELD_LIMITS.deltaMax, maximum: FIELD_LIMITS.deltaMax, example: 2, description: 'an integer other than 0' })
  @IsDelta()
  delta!: number;
}

/** Body of POST /api/scores/batch: up to 5,000 students, each once. */
export class BatchScoreChangeDto {
  @ApiProperty({ type: [BatchChangeDto], maxItems: BATCH_STUDENTS_MAX })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BATCH_STUDENTS_MAX)
  @ValidateNested({ each: true })
  @Type(() => BatchChangeDto)
  changes!: BatchChangeDto[];

  @ApiProperty({ example: 'sports day', maxLength: FIELD_LIMITS.reason })
  @IsText(FIELD_LIMITS.reason)
  reason!: string;
}

/** The command of a validated batch body: each change's id and delta, nothing else the body held. */
export function batchScoresCommand(body: BatchScoreChangeDto): ApiCommand {
  return { name: 'scores.batch', data: { changes: body.changes.map((c) => ({ studentId: c.studentId, delta: c.delta })), reason: body.reason } };
}
