import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../domain';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ReadsAfterMinPosition } from '../common/min-position';
import { ReadQueryDto } from '../../api/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { SCORE_RANGE, STATS_REPOSITORY, STUDENTS_REPOSITORY, type ScoreRange, type StatsReads, type StudentsReads } from '../common/tokens';
import { STAFF_ROLES, assertMayReadStudent, studentNotFound } from '../../api/student-access';
import { StudentIdParams } from '../../api/students.dto';
import { ClassDailyDto, ClassDailyQueryDto, ClassNameParams, ScoreHistoryDto, StatsOverviewDto } from './stats.dto';

/** The figures of the start page and the charts, from the read models. */
@ApiTags('stats')
@Controller('api')
export class StatsController {
  constructor(
    @Inject(STATS_REPOSITORY) private readonly stats: StatsReads,
    @Inject(STUDENTS_REPOSITORY) private readonly students: StudentsReads,
    @Inject(SCORE_RANGE) private readonly range: ScoreRange,
  ) {}

  @Get('stats/overview')
  @Roles('admin')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: "Start page: pending reviews, today's changes, each class's average, students near the bounds" })
  @ApiOkResponse({ type: StatsOverviewDto })
  overview(@Query() _query: ReadQueryDto): Promise<StatsOverviewDto> {
    return this.stats.overview(this.stats.today(Date.now()), this.range);
  }

  @Get('stats/classes/:className/daily')
  @Roles(...STAFF_ROLES)
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: "A class's last days (school days, in SCHOOL_TIME_ZONE): changes, sum of deltas, average score at the end of each day" })
  @ApiOkResponse({ type: ClassDailyDto })
  async classDaily(@Param() { className }: ClassNameParams, @Query() { days }: ClassDailyQueryDto): Promise<ClassDailyDto> {
    return { className, days: await this.stats.classDaily(className, this.stats.today(Date.now()), days ?? 30) };
  }

  @Get('students/:studentId/score-history')
  @Roles(...STAFF_ROLES, 'student')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: "A student's score at the end of each day it changed (the chart): staff, or that student" })
  @ApiOkResponse({ type: ScoreHistoryDto })
  async scoreHistory(@Param() { studentId }: StudentIdParams, @Query() _query: ReadQueryDto, @CurrentActor() actor: Actor): Promise<ScoreHistoryDto> {
    assertMayReadStudent(actor, studentId);
    if ((await this.students.getStudent(studentId)) === undefined) throw studentNotFound(studentId);
    return { studentId, points: await this.stats.scoreHistory(studentId) };
  }
}
