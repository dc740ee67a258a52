import { IsInt, Max, Min } from 'class-validator';
import { ReviewApplicationDto } from '../../api/applications.dto';
import { Absent, IsEntityId } from '../../api/field-rules';
import { PageQueryDto, ReadQueryDto } from '../../api/paging.dto';

/** Largest `limit` of `query.events.read`. */
export const EVENTS_READ_LIMIT_MAX = 1000;
/** `limit` of `query.events.read` unless given. */
export const EVENTS_READ_LIMIT_DEFAULT = 100;

/** Body of `cmd.applications.review`: the REST body plus the application's id. */
export class ReviewApplicationCommandDto extends ReviewApplicationDto {
  @IsEntityId()
  applicationId!: string;
}

/** Body of `query.students.get`. */
export class GetStudentQueryDto extends ReadQueryDto {
  @IsEntityId()
  studentId!: string;
}

/** Body of `query.students.records`. */
export class StudentRecordsQueryDto extends PageQueryDto {
  @IsEntityId()
  studentId!: string;
}

/** Body of `query.events.read`: events at positions >= fromPosition, at most `limit`. */
export class ReadEventsQueryDto {
  @IsInt()
  @Min(0)
  fromPosition!: number;

  @Absent()
  @IsInt()
  @Min(1)
  @Max(EVENTS_READ_LIMIT_MAX)
  limit?: number;
}

/** Body of `cmd.sagas.retry`. */
export class RetrySagaCommandDto {
  @IsEntityId()
  sagaId!: string;
}

/** Body of `query.sagas.get`. */
export class GetSagaQueryDto extends ReadQueryDto {
  @IsEntityId()
  sagaId!: string;
}
