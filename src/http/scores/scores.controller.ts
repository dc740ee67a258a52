import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SagaWriteDto, StudentWriteDto } from '../common/response.dto';
import type { Response } from 'express';
import type { Actor } from '../../domain';
import { commandData } from '../../api/command-data';
import { CommandRunner, type WriteAnswer } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IdempotencyKey } from '../common/idempotency-key';
import { Roles } from '../auth/roles.decorator';
import { WritesThroughLog } from '../common/writes';
import { BatchScoreChangeDto, ScoreChangeDto, batchScoresCommand } from '../../api/scores.dto';

/** Direct score changes: admins only; batch adjustments: admins and clubs. */
@ApiTags('scores')
@Roles('admin')
@Controller('api/scores')
export class ScoresController {
  constructor(private readonly commands: CommandRunner) {}

  @Post('modify')
  @HttpCode(200)
  @WritesThroughLog()
  @ApiOperation({ summary: "Change a student's score directly (422 when it would leave the allowed range)" })
  @ApiOkResponse({ type: StudentWriteDto })
  modify(
    @Body() body: ScoreChangeDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'scores.modify', data: commandData(body) }, actor, key);
  }

  @Post('batch')
  @HttpCode(202)
  @Roles('admin', 'club')
  @WritesThroughLog()
  @ApiOperation({
    summary: 'Start a batch adjustment saga (up to 5,000 students): all change, or none (GET /api/sagas/:sagaId)',
  })
  @ApiAcceptedResponse({ type: SagaWriteDto })
  batch(
    @Body() body: BatchScoreChangeDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, batchScoresCommand(body), actor, key);
  }
}
