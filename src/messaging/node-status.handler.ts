import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { headers as natsHeaders, type Subscription } from 'nats';
import { HttpPortHolder } from '../node/http-port';
import { NodeMetrics } from '../node/node-metrics';
import { clusterStatus } from '../node/cluster-status';
import type { ConsensusNode } from '../node/consensus-node';
import { CONSENSUS_NODE } from '../node/node.tokens';
import { NODE_STATUS_COMMAND } from '../node/cluster-nodes';
import { MEMBERSHIP_COMMAND, type MembershipAnswer, changeMembership, membershipRequestOf } from '../node/membership';
import { internalCommandSubject } from './leader-forwarding';

export { NODE_STATUS_COMMAND };

/**
 * `<prefix>.internal.<cluster>.<node>.status`: this node's cluster status (the document of
 * `GET /api/cluster/status`), for operator tools such as `npm run cli -- cluster:status` and for the other nodes
 * (`GET /api/cluster/nodes`). It has
 * no token check: like the Paxos subjects, the internal subjects are for nodes and operators, and
 * the NATS permissions keep API clients off them (deploy/nats/auth.conf).
 */
@Injectable()
export class NodeStatusHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;
  private membership: Subscription | undefined;

  constructor(
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
    private readonly metrics: NodeMetrics,
    private readonly port: HttpPortHolder,
  ) {}

  onApplicationBootstrap(): void {
    const { nats, config } = this.node;
    const subject = internalCommandSubject(config.apiPrefix, config.clusterName, config.nodeId, NODE_STATUS_COMMAND);
    this.subscription = nats.subscribe(subject, {
      callback: (_err, msg) => {
        if (!msg.reply) return;
        const status = clusterStatus(this.node, this.port.port, this.metrics.proposalsFailedCount());
        const h = natsHeaders();
        h.set('Content-Type', 'application/json');
        msg.respond(Buffer.from(JSON.stringify({ ok: true, data: status })), { headers: h });
      },
    });
    // `<prefix>.internal.<cluster>.<node>.membership`: a change decided through the log, answered
    // once it is in force (operators only: the NATS permissions keep API clients off internal subjects).
    const membership = internalCommandSubject(config.apiPrefix, config.clusterName, config.nodeId, MEMBERSHIP_COMMAND);
    this.membership = nats.subscribe(membership, {
      callback: (_err, msg) => {
        if (!msg.reply) return;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.from(msg.data).toString('utf8'));
        } catch {
          body = null;
        }
        const request = membershipRequestOf(body);
        const answer: Promise<MembershipAnswer> = request
          ? changeMembership(this.node, request)
          : Promise.resolve({ ok: false, error: 'bad-request', message: 'expected {op: add-learner|promote|remove, nodeId}' });
        void answer.then((a) => msg.respond(Buffer.from(JSON.stringify(a))));
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    this.membership?.unsubscribe();
  }
}
