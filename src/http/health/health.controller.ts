import { Unthrottled } from '../common/rate-limit.guard';
import { Public } from '../auth/public.decorator';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { ProbeDto } from '../common/response.dto';

/** Slots chosen but not yet applied, and log positions the read models may trail, for a node to count as ready. */
export const READY_LAG_MAX = 1000;

/** One check of a probe: up or down, with what it saw. */
export interface ProbeCheck {
  readonly status: 'up' | 'down';
  readonly [detail: string]: unknown;
}

/** The body of `/health/ready` and `/health/writable` (200 when `status` is ok, else 503). */
export interface ProbeBody {
  readonly status: 'ok' | 'error';
  /** Whether this node counts on a quorum now (a leader heard recently, or, leading, a quorum of peers). */
  readonly quorum: boolean;
  readonly leaderId: string | null;
  readonly details: Record<string, ProbeCheck>;
}

/**
 * Liveness (the process answers), readiness (the node can serve reads) and writability (it can
 * take writes). A node without a quorum is still ready: degraded mode serves stale reads, and a
 * load balancer must not drop it; `/health/writable` is the probe for routing writes. Probes that
 * fail answer 503 with the same body and log nothing (a probe before the first election is not an
 * error).
 */
@ApiTags('health')
@Public()
@Unthrottled()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Can this node serve reads?',
    description:
      'MySQL reachable, a member that serves (a voter, or a learner caught up; not a node started but not added yet, removed, or named under another storage incarnation), the log applied and the read models (and credentials) within READY_LAG_MAX of it, and the configured bootstrap admin applied here (so a login succeeds). Says `quorum` but does not depend on it.',
  })
  @ApiResponse({ status: 200, description: 'ready', type: ProbeDto })
  @ApiResponse({ status: 503, description: 'not ready; `details` says which check is down', type: ProbeDto })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ProbeBody> {
    return this.answer(res, { mysql: await this.mysql(), member: this.member(), log: this.log(), projections: this.projections(), admin: await this.admin() });
  }

  @Get('writable')
  @ApiOperation({
    summary: 'Can this node take writes now?',
    description: 'MySQL reachable and a quorum counted on (a known leader heard recently). For routers that send writes only where they can be accepted.',
  })
  @ApiResponse({ status: 200, description: 'writes can be accepted', type: ProbeDto })
  @ApiResponse({ status: 503, description: 'no quorum or no database: writes would be refused', type: ProbeDto })
  async writable(@Res({ passthrough: true }) res: Response): Promise<ProbeBody> {
    const quorum = this.node.hasQuorum();
    return this.answer(res, { mysql: await this.mysql(), quorum: { status: quorum ? 'up' : 'down', leaderId: this.node.driver.status().leaderId } });
  }

  private answer(res: Response, details: Record<string, ProbeCheck>): ProbeBody {
    const ok = Object.values(details).every((c) => c.status === 'up');
    res.status(ok ? 200 : 503);
    if (!ok) res.setHeader('Retry-After', '1');
    return { status: ok ? 'ok' : 'error', quorum: this.node.hasQuorum(), leaderId: this.node.driver.status().leaderId, details };
  }

  private async mysql(): Promise<ProbeCheck> {
    try {
      await this.node.pingDatabase();
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** A member of the newest configuration that serves clients (ConsensusNode.publicShare): a load balancer drops a node that is not. */
  private member(): ProbeCheck {
    const share = this.node.publicShare();
    return { status: share === 'none' ? 'down' : 'up', share };
  }

  /** The log: not recovering, and chosen slots applied (within the bound). */
  private log(): ProbeCheck {
    const s = this.node.driver.status();
    const lag = s.chosenWatermark - s.appliedWatermark;
    const recovering = this.node.driver.isRecovering;
    return { status: lag <= READY_LAG_MAX && !recovering ? 'up' : 'down', lag, recovering };
  }

  /** The read models and the credentials a login reads follow the applied log (within the bound). */
  private projections(): ProbeCheck {
    const head = this.node.events.head;
    const lag = Math.max(0, head - this.node.projector.position);
    const credentialsLag = Math.max(0, head - this.node.auth.projector.position);
    return { status: lag <= READY_LAG_MAX && credentialsLag <= READY_LAG_MAX ? 'up' : 'down', lag, credentialsLag };
  }

  /**
   * The configured bootstrap admin can log in here: its credentials are applied locally. The
   * bootstrap creates it only into a cluster without users; when the cluster has users but not this
   * one, none will come, and the check does not wait for it.
   */
  private async admin(): Promise<ProbeCheck> {
    const admin = this.node.config.admin;
    if (!admin) return { status: 'up', configured: false };
    try {
      if ((await this.node.auth.repository.find(admin.username)) !== undefined) return { status: 'up', configured: true };
    } catch (error) {
      return { status: 'down', configured: true, message: error instanceof Error ? error.message : String(error) };
    }
    if (this.node.aggregates.anyUser && !this.node.aggregates.user(admin.username).exists) return { status: 'up', configured: true, bootstrapped: false };
    return { status: 'down', configured: true, message: `the bootstrap admin ${admin.username} is not applied on this node yet` };
  }
}
