import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DAILY_DAYS_MAX } from '../../projections/stats/stats-repository';
import { Absent, FIELD_LIMITS, IsText } from '../../api/field-rules';
import { ReadQueryDto } from '../../api/paging.dto';
import { StudentDto } from '../common/response.dto';
import { ScoreRangeDto } from '../reasons/reasons.dto';

/** Path of /api/stats/classes/:className/daily. */
export class ClassNameParams {
  @ApiProperty({ example: '7a' })
  @IsText(FIELD_LIMITS.className)
  className!: string;
}

/** Query of the class series. */
export class ClassDailyQueryDto extends ReadQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: DAILY_DAYS_MAX, default: 30 })
  @Absent()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DAILY_DAYS_MAX)
  days?: number;
}

/** Query of GET /api/students.csv. */
export class StudentsCsvQueryDto {
  @ApiPropertyOptional({ example: '7a' })
  @Absent()
  @IsText(FIELD_LIMITS.className)
  className?: string;
}

/** One class's average now. */
export class ClassAverageDto {
  @ApiProperty()
  className!: string;
  @ApiProperty()
  students!: number;
  @ApiProperty({ example: 101.5 })
  averageScore!: number;
}

/** GET /api/stats/overview. */
export class StatsOverviewDto {
  @ApiProperty()
  pendingReviews!: number;
  @ApiProperty({ description: "score changes since today's midnight in the school's time zone (SCHOOL_TIME_ZONE, default UTC)" })
  todayChanges!: number;
  @ApiProperty({ type: [ClassAverageDto] })
  classes!: ClassAverageDto[];
  @ApiProperty({ type: [StudentDto], description: 'active students within `margin` of either end of the range, nearest first (50 at most)' })
  nearBounds!: StudentDto[];
  @ApiProperty({ type: ScoreRangeDto })
  scoreRange!: ScoreRangeDto;
  @ApiProperty({ description: 'a tenth of the range' })
  margin!: number;
}

/** One day of a class. */
export class ClassDayDto {
  @ApiProperty({ example: '2025-03-01', description: "a school day: from midnight to midnight in the school's time zone" })
  day!: string;
  @ApiProperty()
  changes!: number;
  @ApiProperty()
  deltaSum!: number;
  @ApiProperty({ type: Number, nullable: true })
  averageScore!: number | null;
}

/** GET /api/stats/classes/:className/daily. */
export class ClassDailyDto {
  @ApiProperty()
  className!: string;
  @ApiProperty({ type: [ClassDayDto] })
  days!: ClassDayDto[];
}

/** One point of a student's chart. */
export class ScorePointDto {
  @ApiProperty({ example: '2025-03-01' })
  day!: string;
  @ApiProperty()
  score!: number;
}

/** GET /api/students/:studentId/score-history. */
export class ScoreHistoryDto {
  @ApiProperty()
  studentId!: string;
  @ApiProperty({ type: [ScorePointDto], description: "the score at the end of each school day (in the school's time zone) it changed, oldest first" })
  points!: ScorePointDto[];
}
