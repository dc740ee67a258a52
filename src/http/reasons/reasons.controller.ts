import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReasonWriteDto } from '../common/response.dto';
import type { Response } from 'express';
import { DEFAULT_INITIAL_SCORE, type Actor } from '../../domain';
import { commandData } from '../../api/command-data';
import { CommandRunner, type WriteAnswer } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadsAfterMinPosition } from '../common/min-position';
import { ReadQueryDto } from '../../api/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { REASONS_REPOSITORY, type ReasonsReads, SCORE_RANGE, type ScoreRange } from '../common/tokens';
import { WritesThroughLog } from '../common/writes';
import { ClientConfigDto, CreateReasonDto, ReasonCodeParams, ReasonDto, ReasonListDto, UpdateReasonDto } from './reasons.dto';

/** The school's reason catalogue: staff read it, admins change it (through the log). */
@ApiTags('reasons')
@Controller('api')
export class ReasonsController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(REASONS_REPOSITORY) private readonly reasons: ReasonsReads,
    @Inject(SCORE_RANGE) private readonly scoreRange: ScoreRange,
  ) {}

  // Any signed-in user, students too: their records name catalogue reasons, shown in the reader's language.
  @Get('reasons')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'The reason catalogue (every reason, active or not) and the score range (any signed-in user)' })
  @ApiOkResponse({ type: ReasonListDto })
  async list(@Query() _query: ReadQueryDto): Promise<ReasonListDto> {
    return { items: await this.reasons.listReasons(), scoreRange: { ...this.scoreRange } };
  }

  @Get('reasons/:code')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'One reason (any signed-in user)' })
  @ApiOkResponse({ type: ReasonDto })
  async get(@Param() { code }: ReasonCodeParams, @Query() _query: ReadQueryDto): Promise<ReasonDto> {
    const reason = await this.reasons.getReason(code);
    if (reason === undefined) throw new NotFoundException(`reason ${code} not found`);
    return reason;
  }

  @Post('reasons')
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: 'Add a reason to the catalogue (409 when the code exists)' })
  @ApiCreatedResponse({ type: ReasonWriteDto })
  create(
    @Body() body: CreateReasonDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'reasons.create', data: commandData(body) }, actor, key);
  }

  @Patch('reasons/:code')
  @HttpCode(200)
  @Roles('admin')
  @WritesThroughLog()
  @ApiOperation({ summary: 'Change a reason: labels, default delta, polarity, active' })
  @ApiOkResponse({ type: ReasonWriteDto })
  update(
    @Param() { code }: ReasonCodeParams,
    @Body() body: UpdateReasonDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'reasons.update', data: { code, ...commandData(body) } }, actor, key);
  }

  @Get('config')
  @ApiOperation({ summary: "This deployment's score range and default initial score (any signed-in user)" })
  @ApiOkResponse({ type: ClientConfigDto })
  config(): ClientConfigDto {
    return { scoreRange: { ...this.scoreRange }, defaultInitialScore: DEFAULT_INITIAL_SCORE };
  }
}
