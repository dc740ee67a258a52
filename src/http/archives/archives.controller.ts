import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ArchivePageDto, ArchivedStudentDto, SagaWriteDto } from '../common/response.dto';
import type { Response } from 'express';
import type { Actor } from '../../domain';
import type { ArchiveView, ArchivedStudentView, Page } from '../../projections';
import { commandData } from '../../api/command-data';
import { CommandRunner, type WriteAnswer } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadsAfterMinPosition } from '../common/min-position';
import { ReadQueryDto } from '../../api/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { ARCHIVES_REPOSITORY, type ArchivesReads } from '../common/tokens';
import { WritesThroughLog } from '../common/writes';
import { assertMayReadStudent } from '../../api/student-access';
import { ArchivedStudentParams, ListArchivesQueryDto, StartArchiveDto } from '../../api/archives.dto';

/** Semester archives: admins start them and read them all; a student reads their own snapshot. */
@ApiTags('archives')
@Controller('api/archives')
export class ArchivesController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(ARCHIVES_REPOSITORY) private readonly archives: ArchivesReads,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: 'Start a semester archive saga (freeze, snapshot, store, reset, unfreeze); 202 {sagaId}' })
  @ApiAcceptedResponse({ type: SagaWriteDto })
  start(
    @Body() body: StartArchiveDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'archives.start', data: commandData(body) }, actor, key);
  }

  @Get()
  @Roles('admin')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'Completed archives, newest first, optionally of one semester' })
  @ApiOkResponse({ type: ArchivePageDto })
  list(@Query() query: ListArchivesQueryDto): Promise<Page<ArchiveView>> {
    return this.archives.listArchives({ semester: query.semester, page: query.page, pageSize: query.pageSize });
  }

  @Get(':semester/students/:studentId')
  @Roles('admin', 'student')
  @ReadsAfterMinPosition()
  @ApiNotFoundResponse({ description: 'not archived in that semester (or another student asking)' })
  @ApiOperation({ summary: "A student's archived score of a semester: admins, or that student" })
  @ApiOkResponse({ type: ArchivedStudentDto })
  async student(
    @Param() { semester, studentId }: ArchivedStudentParams,
    @Query() _query: ReadQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<ArchivedStudentView> {
    assertMayReadStudent(actor, studentId);
    const found = await this.archives.getArchivedStudent(semester, studentId);
    if (found === undefined) throw new NotFoundException(`student ${studentId} is in no completed archive of semester ${semester}`);
    return found;
  }
}
