import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { scopedCommandId } from '../../application/idempotency';
import type { Actor } from '../../domain';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { CurrentActor } from '../auth/current-actor.decorator';
import { commandStatus, type CommandStatus, queuedStatus, traceCommand } from './command-status';

/** The status of a command by its id (the caller's Idempotency-Key, or the commandId a write answered). */
@ApiTags('commands')
@ApiBearerAuth()
@Controller('api/commands')
export class CommandsController {
  constructor(@Inject(CONSENSUS_NODE) private readonly node: ConsensusNode) {}

  @Get(':commandId')
  @ApiOperation({
    summary:
      'pending, applied (position, result) or rejected (reason, statusCode of a refusal); by the commandId a write answered (the actor or an admin) or by the caller\'s own Idempotency-Key',
  })
  async status(@Param('commandId') commandId: string, @CurrentActor() actor: Actor): Promise<CommandStatus> {
    if (commandId.length > 128) throw new NotFoundException(`no command ${commandId.slice(0, 32)}…`);
    // The caller's own Idempotency-Key first (it names their scoped command), then a command id as answered.
    const byKey = await this.statusOf(scopedCommandId(actor.username, commandId), actor);
    if (byKey) return { ...byKey, idempotencyKey: commandId };
    const status = await this.statusOf(commandId, actor);
    if (!status) throw new NotFoundException(`no command ${commandId}`);
    return status;
  }

  private async statusOf(commandId: string, actor: Actor): Promise<CommandStatus | null> {
    const queued = await this.node.commandQueue.queued(commandId);
    const fromQueue = queued && queuedStatus(commandId, queued, actor);
    if (fromQueue) return fromQueue;
    const trace = await traceCommand(
      commandId,
      (id) => this.node.events.outcome(id, this.node.readDb),
      (id) => this.node.proposals.isWaiting(id),
    );
    return commandStatus(commandId, trace.outcome, trace.waiting, actor);
  }
}
