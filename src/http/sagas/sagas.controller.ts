import { Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { SagaDto, SagaWriteDto } from '../common/response.dto';
import type { Response } from 'express';
import type { SagaView } from '../../application/sagas/saga-view';
import type { Actor } from '../../domain';
import { CommandRunner, type WriteAnswer } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IsEntityId } from '../../api/field-rules';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadsAfterMinPosition } from '../common/min-position';
import { ReadQueryDto } from '../../api/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { SAGAS_READS, type SagasReads } from '../common/tokens';
import { WritesThroughLog } from '../common/writes';

/** Path of /api/sagas/:id. */
export class SagaIdParams {
  @ApiProperty()
  @IsEntityId()
  id!: string;
}

/** Sagas: their state, steps and failures; an admin retries one waiting for an operator. */
@ApiTags('sagas')
@Roles('admin')
@Controller('api/sagas')
export class SagasController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(SAGAS_READS) private readonly sagas: SagasReads,
  ) {}

  @Get(':id')
  @ReadsAfterMinPosition()
  @ApiNotFoundResponse({ description: 'no such saga' })
  @ApiOperation({ summary: 'A saga: status, steps, compensations, per-student failure reasons, needs-operator flag' })
  @ApiOkResponse({ type: SagaDto })
  async get(@Param() { id }: SagaIdParams, @Query() _query: ReadQueryDto): Promise<SagaView> {
    const view = await this.sagas.getSaga(id);
    if (view === undefined) throw new NotFoundException(`saga ${id} not found`);
    return view;
  }

  @Post(':id/retry')
  @HttpCode(202)
  @WritesThroughLog()
  @ApiOperation({ summary: 'Retry a saga whose compensation failed (409 when it waits for no operator)' })
  @ApiAcceptedResponse({ type: SagaWriteDto })
  retry(
    @Param() { id }: SagaIdParams,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'sagas.retry', data: { sagaId: id } }, actor, key);
  }
}
