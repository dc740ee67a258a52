import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandStatusDto } from '../common/response.dto';
import type { Actor } from '../../domain';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { CurrentActor } from '../auth/current-actor.decorator';
import { commandStatus, type CommandStatus, queuedStatus, traceCommand } from './command-status';

/** The status of a command by its id (the Idempotency-Key, or the commandId a write answered). */
@ApiTags('commands')
@ApiBearerAuth()
@Controller('api/commands')
export class CommandsController {
  constructor(@Inject(CONSENSUS_NODE) private readonly node: ConsensusNode) {}

  @Get(':commandId')
  @ApiOperation({ summary: 'pending, applied (position, result) or rejected (reason, statusCode of a refusal); the actor or an admin' })
  @ApiOkResponse({ type: CommandStatusDto })
  async status(@Param('commandId') commandId: string, @CurrentActor() actor: Actor): Promise<CommandStatus> {
    if (commandId.length > 128) throw new NotFoundException(`no command ${commandId.slice(0, 32)}…`);
    const queued = await this.node.commandQueue.queued(commandId);
    const fromQueue = queued && queuedStatus(commandId, queued, actor);
    if (fromQueue) return fromQueue;
    const trace = await traceCommand(
      commandId,
      (id) => this.node.events.outcome(id),
      (id) => this.node.proposals.isWaiting(id),
    );
    const status = commandStatus(commandId, trace.outcome, trace.waiting, actor);
    if (!status) throw new NotFoundException(`no command ${commandId}`);
    return status;
  }
}
