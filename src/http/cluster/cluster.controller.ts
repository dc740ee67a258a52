import { Roles } from '../auth/roles.decorator';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClusterStatusDto } from '../common/response.dto';
import { type ClusterStatus, clusterStatus } from '../../node/cluster-status';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { NodeMetrics } from '../metrics/node-metrics';
import { HttpPortHolder } from '../http-port';

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
}
