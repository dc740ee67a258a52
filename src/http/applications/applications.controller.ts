import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApplicationDto, ApplicationPageDto, ApplicationWriteDto } from '../common/response.dto';
import type { Response } from 'express';
import type { Actor } from '../../domain';
import type { ApplicationView, Page } from '../../projections';
import { commandData } from '../../api/command-data';
import { CommandRunner, type WriteAnswer } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadsAfterMinPosition } from '../common/min-position';
import { ReadQueryDto } from '../../api/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { APPLICATIONS_REPOSITORY, type ApplicationsReads } from '../common/tokens';
import { WritesThroughLog } from '../common/writes';
import { submitterFilter, visibleApplication } from '../../api/application-access';
import { ApplicationIdParams, ListApplicationsQueryDto, ReviewApplicationDto, SubmitApplicationDto } from '../../api/applications.dto';

/** Score-change applications: teachers and clubs submit, admins review; each sees what is theirs. */
@ApiTags('applications')
@Controller('api/applications')
export class ApplicationsController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(APPLICATIONS_REPOSITORY) private readonly applications: ApplicationsReads,
  ) {}

  @Post()
  @Roles('teacher', 'club')
  @WritesThroughLog()
  @ApiOperation({ summary: 'Submit a score-change application: 201 {applicationId, status: "pending", position}' })
  @ApiCreatedResponse({ type: ApplicationWriteDto })
  async submit(
    @Body() body: SubmitApplicationDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    const answer = await this.commands.run(res, { name: 'applications.submit', data: commandData(body) }, actor, key);
    return { ...answer, status: 'pending' };
  }

  @Get()
  @Roles('admin', 'teacher', 'club')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'Applications, newest first, paged: all for admins, their own for teachers and clubs' })
  @ApiOkResponse({ type: ApplicationPageDto })
  list(@Query() query: ListApplicationsQueryDto, @CurrentActor() actor: Actor): Promise<Page<ApplicationView>> {
    const { status, page, pageSize } = query;
    return this.applications.listApplications({ status, page, pageSize, submittedBy: submitterFilter(actor) });
  }

  @Get(':id')
  @Roles('admin', 'teacher', 'club')
  @ReadsAfterMinPosition()
  @ApiNotFoundResponse({ description: 'no such application (or not the caller’s)' })
  @ApiOperation({ summary: 'One application: admins, or its submitter' })
  @ApiOkResponse({ type: ApplicationDto })
  async get(@Param() { id }: ApplicationIdParams, @Query() _query: ReadQueryDto, @CurrentActor() actor: Actor): Promise<ApplicationView> {
    return visibleApplication(actor, id, await this.applications.getApplication(id));
  }

  @Post(':id/review')
  @HttpCode(200)
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: 'Approve or reject once (approval applies the score change in the same log entry)' })
  @ApiOkResponse({ type: ApplicationWriteDto })
  review(
    @Param() { id }: ApplicationIdParams,
    @Body() body: ReviewApplicationDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'applications.review', data: { applicationId: id, ...commandData(body) } }, actor, key);
  }
}
