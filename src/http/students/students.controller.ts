import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ScoreRecordPageDto, StudentDto, StudentPageDto, StudentWriteDto } from '../common/response.dto';
import type { Response } from 'express';
import type { Actor } from '../../domain';
import type { Page, ScoreRecordView, StudentView } from '../../projections';
import { commandData } from '../../api/command-data';
import { CommandRunner, type WriteAnswer } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadsAfterMinPosition } from '../common/min-position';
import { PageQueryDto, ReadQueryDto } from '../../api/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { SCORE_RECORDS_REPOSITORY, STUDENTS_REPOSITORY, type ScoreRecordsReads, type StudentsReads } from '../common/tokens';
import { WritesThroughLog } from '../common/writes';
import { STAFF_ROLES, assertMayReadStudent, studentNotFound } from '../../api/student-access';
import { CorrectStudentDto, ListStudentsQueryDto, RegisterStudentDto, StudentIdParams } from '../../api/students.dto';

/** Students: admins register and correct them; staff read all; a student reads only themself. */
@ApiTags('students')
@Controller('api/students')
export class StudentsController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(STUDENTS_REPOSITORY) private readonly students: StudentsReads,
    @Inject(SCORE_RECORDS_REPOSITORY) private readonly scoreRecords: ScoreRecordsReads,
  ) {}

  @Post()
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: 'Register a student (initial score 100 unless given)' })
  @ApiCreatedResponse({ type: StudentWriteDto })
  register(
    @Body() body: RegisterStudentDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'students.register', data: commandData(body) }, actor, key);
  }

  @Patch(':studentId')
  @HttpCode(200)
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: "Correct a student's name or move them to another class" })
  @ApiOkResponse({ type: StudentWriteDto })
  correct(
    @Param() { studentId }: StudentIdParams,
    @Body() body: CorrectStudentDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'students.correct', data: { studentId, ...commandData(body) } }, actor, key);
  }

  @Post(':studentId/freeze')
  @HttpCode(200)
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: "Freeze a student's score (409 when frozen already or archived)" })
  @ApiOkResponse({ type: StudentWriteDto })
  freeze(
    @Param() { studentId }: StudentIdParams,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'students.freeze', data: { studentId } }, actor, key);
  }

  @Post(':studentId/unfreeze')
  @HttpCode(200)
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: "Lift a freeze of a student's score (409 when not frozen)" })
  @ApiOkResponse({ type: StudentWriteDto })
  unfreeze(
    @Param() { studentId }: StudentIdParams,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'students.unfreeze', data: { studentId } }, actor, key);
  }

  @Get()
  @Roles(...STAFF_ROLES)
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'Students by id, optionally of one class, paged' })
  @ApiOkResponse({ type: StudentPageDto })
  list(@Query() query: ListStudentsQueryDto): Promise<Page<StudentView>> {
    return this.students.listStudents({ className: query.className, page: query.page, pageSize: query.pageSize });
  }

  @Get(':studentId')
  @Roles(...STAFF_ROLES, 'student')
  @ReadsAfterMinPosition()
  @ApiNotFoundResponse({ description: 'no such student (or another student asking)' })
  @ApiOperation({ summary: 'One student: staff, or that student' })
  @ApiOkResponse({ type: StudentDto })
  async get(@Param() { studentId }: StudentIdParams, @Query() _query: ReadQueryDto, @CurrentActor() actor: Actor): Promise<StudentView> {
    assertMayReadStudent(actor, studentId);
    const student = await this.students.getStudent(studentId);
    if (student === undefined) throw studentNotFound(studentId);
    return student;
  }

  @Get(':studentId/records')
  @Roles(...STAFF_ROLES, 'student')
  @ReadsAfterMinPosition()
  @ApiNotFoundResponse({ description: 'no such student (or another student asking)' })
  @ApiOperation({ summary: "A student's score history, newest first, paged: staff, or that student" })
  @ApiOkResponse({ type: ScoreRecordPageDto })
  async records(
    @Param() { studentId }: StudentIdParams,
    @Query() query: PageQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<Page<ScoreRecordView>> {
    assertMayReadStudent(actor, studentId);
    if ((await this.students.getStudent(studentId)) === undefined) throw studentNotFound(studentId);
    return this.scoreRecords.listRecords(studentId, { page: query.page, pageSize: query.pageSize });
  }
}
