import { Unthrottled } from '../common/rate-limit.guard';
import { Public } from '../auth/public.decorator';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { sql } from 'kysely';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';

/** Liveness (the process answers) and readiness (MySQL reachable, a quorum seen, log applied). */
@ApiTags('health')
@Public()
@Unthrottled()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.mysql(), () => this.quorum(), () => this.applied()]);
  }

  private async mysql(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('mysql');
    try {
      await sql`SELECT 1`.execute(this.node.db);
      return check.up();
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  private quorum(): HealthIndicatorResult {
    const check = this.indicator.check('quorum');
    const s = this.node.driver.status();
    return this.node.hasQuorum() ? check.up({ leaderId: s.leaderId }) : check.down({ leaderId: s.leaderId });
  }

  private applied(): HealthIndicatorResult {
    const check = this.indicator.check('log');
    const s = this.node.driver.status();
    const lag = s.chosenWatermark - s.appliedWatermark;
    return lag <= 1000 && !this.node.driver.isRecovering ? check.up({ lag }) : check.down({ lag });
  }
}
