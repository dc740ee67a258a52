import { Roles } from '../auth/roles.decorator';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClusterNodesDto, ClusterStatusDto } from '../common/response.dto';
import { type ClusterNodeView, PEER_STATUS_TIMEOUT_MS, readClusterNodes } from '../../node/cluster-nodes';
import { type ClusterStatus, clusterStatus } from '../../node/cluster-status';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { NodeMetrics } from '../../node/node-metrics';
import { HttpPortHolder } from '../../node/http-port';

/** Operations view of the cluster. */
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
