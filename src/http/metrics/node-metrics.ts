import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';

/** The node's Prometheus metrics; gauges read the replica when scraped. */
@Injectable()
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly failed: Counter;
  private readonly commitLatency: Histogram;
  private readonly leaderChanges: Counter;
  private lastLeader: string | null = null;

  constructor(@Inject(CONSENSUS_NODE) private readonly node: ConsensusNode) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.failed = new Counter({ name: 'behavior_proposals_failed_total', help: 'Proposals that failed (no quorum, timeout)', labelNames: ['reason'], registers });
    this.commitLatency = new Histogram({
      name: 'behavior_commit_latency_seconds',
      help: 'From proposal to chosen and applied on this node',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.leaderChanges = new Counter({ name: 'behavior_leader_changes_total', help: 'Times this node saw the leader change', registers });
    const status = () => node.driver.status();
    new Gauge({ name: 'behavior_slots_chosen', help: 'Chosen watermark', registers, collect() { this.set(status().chosenWatermark); } });
    new Gauge({ name: 'behavior_slots_applied', help: 'Applied watermark', registers, collect() { this.set(status().appliedWatermark); } });
    new Gauge({ name: 'behavior_apply_lag_slots', help: 'Chosen minus applied slots', registers, collect() { const s = status(); this.set(s.chosenWatermark - s.appliedWatermark); } });
    new Gauge({ name: 'behavior_is_leader', help: '1 when this node leads', registers, collect() { this.set(status().role === 'leader' ? 1 : 0); } });
    new Gauge({
      name: 'behavior_protocol_messages_dropped',
      help: 'Protocol messages dropped, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        for (const [reason, count] of Object.entries(node.transport.dropped())) this.set({ reason }, count);
      },
    });
    const timer = setInterval(() => this.watchLeader(), 100);
    timer.unref();
  }

  /** Records one proposal's latency in seconds. */
  observeCommit(seconds: number): void {
    this.commitLatency.observe(seconds);
  }

  /** Counts a failed proposal. */
  proposalFailed(reason: string): void {
    this.failedTotal += 1;
    this.failed.inc({ reason });
  }

  proposalsFailedCount(): number {
    return this.failedTotal;
  }

  private failedTotal = 0;

  private watchLeader(): void {
    const leader = this.node.driver.status().leaderId;
    if (leader !== null && leader !== this.lastLeader) {
      if (this.lastLeader !== null) this.leaderChanges.inc();
      this.lastLeader = leader;
    }
  }
}
