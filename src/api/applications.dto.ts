import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { ApplicationStatus } from '../domain';
import { Absent, FIELD_LIMITS, IsEntityId, IsText } from './field-rules';
import { PageQueryDto } from './paging.dto';

export { ScoreChangeDto as SubmitApplicationDto } from './scores.dto';

/** Every application status, as `?status=` accepts them. */
export const APPLICATION_STATUSES: readonly ApplicationStatus[] = ['pending', 'approved', 'rejected'];
/** Every review decision. */
export const REVIEW_DECISIONS = ['approve', 'reject'] as const;

/** Body of POST /api/applications/:id/review. */
export class ReviewApplicationDto {
  @ApiProperty({ enum: REVIEW_DECISIONS })
  @IsIn(REVIEW_DECISIONS)
  decision!: (typeof REVIEW_DECISIONS)[number];

  @ApiProperty({ example: 'agreed', maxLength: FIELD_LIMITS.comment })
  @IsText(FIELD_LIMITS.comment)
  comment!: string;
}

/** Path of /api/applications/:id. */
export class ApplicationIdParams {
  @ApiProperty()
  @IsEntityId()
  id!: string;
}

/** Query of GET /api/applications. */
export class ListApplicationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: APPLICATION_STATUSES })
  @Absent()
  @IsIn(APPLICATION_STATUSES)
  status?: ApplicationStatus;
}
