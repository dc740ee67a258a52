import { Roles } from '../auth/roles.decorator';
import { Body, ConflictException, Controller, Delete, Get, HttpCode, Inject, Param, Post, ServiceUnavailableException, UnprocessableEntityException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { type MembershipAnswer, type MembershipRequest, askLeaderForMembership, changeMembership, promotionNotYet } from '../../node/membership';
import { InputInvalidError } from '../../api/api-error';
import { ClusterNodesDto, ClusterStatusDto } from '../common/response.dto';
import { type ClusterNodeView, PEER_STATUS_TIMEOUT_MS, readClusterNodes } from '../../node/cluster-nodes';
import { type ClusterStatus, clusterStatus } from '../../node/cluster-status';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { NodeMetrics } from '../../node/node-metrics';
import { HttpPortHolder } from '../../node/http-port';

/** POST /api/cluster/members: the node to add. */
export class AddMemberDto {
  @ApiProperty({ example: 'n4' })
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  nodeId!: string;
  /** Only as a learner (default: a learner, promoted once caught up, like the CLI's add-node without --learner). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  learner?: boolean;
}

/** What a membership change became. */
export class MembershipChangeDto {
  @ApiProperty()
  ok!: boolean;
  @ApiProperty()
  leaderId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '{id, op, nodeId, incarnation?}' })
  change!: Record<string, unknown>;
  @ApiProperty({ description: 'The slot the change was chosen in' })
  slot!: number;
  @ApiProperty({ description: 'The first slot the new configuration governs' })
  effectiveSlot!: number;
}

/** Operations view of the cluster, and its membership changes. */
@ApiTags('cluster')
@Controller('api/cluster')
export class ClusterController {
  constructor(
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
    private readonly metrics: NodeMetrics,
    private readonly port: HttpPortHolder,
  ) {}

  @Get('status')
  @Roles('admin')
  @ApiOperation({ summary: 'The cluster as this node sees it: role, leader, ballot, slots, members' })
  @ApiOkResponse({ type: ClusterStatusDto })
  status(): ClusterStatus {
    return clusterStatus(this.node, this.port.port, this.metrics.proposalsFailedCount());
  }

  @Post('members')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add a node: as a learner, then (unless learner: true) promoted to voter once caught up',
    description: 'Decided through the log; answers once the new configuration is in force. 409 when the leader refuses the change (say, another change in progress), 503 without a leader.',
  })
  @ApiOkResponse({ type: MembershipChangeDto })
  async add(@Body() body: AddMemberDto): Promise<MembershipAnswer> {
    const added = await this.change({ op: 'add-learner', nodeId: body.nodeId });
    if (body.learner === true) return added;
    return this.promoteWhenCaughtUp(body.nodeId);
  }

  @Post('members/:nodeId/promote')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Promote a caught-up learner to voter' })
  @ApiOkResponse({ type: MembershipChangeDto })
  promote(@Param('nodeId') nodeId: string): Promise<MembershipAnswer> {
    return this.change({ op: 'promote', nodeId: checkedNodeId(nodeId) });
  }

  @Delete('members/:nodeId')
  @Roles('admin')
  @ApiOperation({ summary: 'Remove a voter or learner (a leader removed hands over first)' })
  @ApiOkResponse({ type: MembershipChangeDto })
  remove(@Param('nodeId') nodeId: string): Promise<MembershipAnswer> {
    return this.change({ op: 'remove', nodeId: checkedNodeId(nodeId) });
  }

  /** Makes a change on the leader: here when this node leads, else asked over NATS. */
  private async change(request: MembershipRequest): Promise<MembershipAnswer> {
    const s = this.node.driver.status();
    const answer =
      s.role === 'leader'
        ? await changeMembership(this.node, request)
        : s.leaderId === null
          ? ({ ok: false, error: 'not-leader', message: 'no leader now', leaderId: null } as const)
          : await askLeaderForMembership(this.node.nats, this.node.config.apiPrefix, this.node.config.clusterName, s.leaderId, request);
    if (answer.ok) return answer;
    if (answer.error === 'refused') throw new ConflictException(answer.message);
    if (answer.error === 'bad-request') throw new UnprocessableEntityException(answer.message);
    throw new ServiceUnavailableException(answer.message);
  }

  /** Promotes once the leader sees the learner caught up (bounded: 60 s). */
  private async promoteWhenCaughtUp(nodeId: string): Promise<MembershipAnswer> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        return await this.change({ op: 'promote', nodeId });
      } catch (error) {
        const retry = error instanceof ConflictException && promotionNotYet(error.message);
        if (!retry || Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  @Get('nodes')
  @Roles('admin')
  @ApiOperation({
    summary: 'Every member\'s own status, asked over NATS in parallel',
    description: `Each peer has ${PEER_STATUS_TIMEOUT_MS} ms to answer; one that does not is listed with reachable: false. Nodes that disagree (leader, ballot) show a partition.`,
  })
  @ApiOkResponse({ type: ClusterNodesDto })
  async nodes(): Promise<{ nodes: ClusterNodeView[] }> {
    return { nodes: await readClusterNodes(this.node, this.status()) };
  }
}

function checkedNodeId(nodeId: string): string {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(nodeId)) throw new InputInvalidError([{ field: 'nodeId', messages: ['nodeId must match [A-Za-z0-9_-]{1,32}'] }]);
  return nodeId;
}
