import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Absent, FIELD_LIMITS, IsEntityId, IsText } from './field-rules';
import { PageQueryDto } from './paging.dto';

/** Body of POST /api/archives. */
export class StartArchiveDto {
  @ApiProperty({ example: '2025-fall' })
  @IsEntityId()
  semester!: string;

  @ApiPropertyOptional({ example: '7a', description: 'the class to archive; every class when absent' })
  @Absent()
  @IsText(FIELD_LIMITS.className)
  className?: string;
}

/** Query of GET /api/archives. */
export class ListArchivesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2025-fall' })
  @Absent()
  @IsEntityId()
  semester?: string;
}

/** Path of GET /api/archives/:semester/students/:studentId. */
export class ArchivedStudentParams {
  @ApiProperty()
  @IsEntityId()
  semester!: string;

  @ApiProperty()
  @IsEntityId()
  studentId!: string;
}
