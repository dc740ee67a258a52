import { Inject, Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { ConsensusNode } from './consensus-node';
import { CONSENSUS_NODE } from './node.tokens';

/** The node's Prometheus metrics (its MetricsRegistry), as the HTTP and NATS handlers use them. */
@Injectable()
export class NodeMetrics {
  constructor(@Inject(CONSENSUS_NODE) private readonly node: ConsensusNode) {}

  /** The registry `/metrics` serves. */
  get registry(): Registry {
    return this.node.metrics.registry;
  }

  /** Records one raw log append's latency in seconds (its leader answered it). */
  observeCommit(seconds: number): void {
    this.node.metrics.answered('append', 'log.append', 'applied', seconds);
  }

  /** Counts a raw log append that got no answer. */
  proposalFailed(reason: 'no-quorum' | 'timeout' | 'error'): void {
    this.node.metrics.failed('append', 'log.append', reason);
  }

  /** Writes that got no answer since start, of every source. */
  proposalsFailedCount(): number {
    return this.node.metrics.failedCount;
  }
}
