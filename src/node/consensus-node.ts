import { randomInt } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { NatsConnection } from 'nats';
import { ProposalService } from '../application/proposals';
import type { NodeConfig } from '../config/node-config';
import type { Random } from '../shared/random';
import { MysqlAcceptorStorage } from '../infra/mysql/acceptor-storage';
import { createDatabase, createKysely, type Database } from '../infra/mysql/database';
import { assertDurable } from '../infra/mysql/durability-check';
import { EventStore } from '../infra/mysql/event-store';
import { migrateToLatest } from '../infra/mysql/migrate';
import { connectNats } from '../infra/nats/connection';
import { NatsProtocolTransport } from '../infra/nats/protocol-transport';
import { ReplicaDriver } from '../infra/nats/replica-driver';

/** Where the node's parts write their log lines. */
export type NodeLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** Outside the simulator randomness only spreads election timeouts, so the OS source is right. */
const systemRandom: Random = {
  int: (maxExclusive) => randomInt(maxExclusive),
  float: () => randomInt(2 ** 32) / 2 ** 32,
};

/**
 * One node's consensus side: its MySQL database (created, migrated, checked for durable
 * commits), its NATS connection, the replica driver and the event store it applies to.
 */
export class ConsensusNode {
  private constructor(
    readonly config: NodeConfig,
    readonly db: Kysely<Database>,
    readonly nats: NatsConnection,
    readonly transport: NatsProtocolTransport,
    readonly driver: ReplicaDriver<Transaction<Database>>,
    readonly events: EventStore,
    readonly proposals: ProposalService,
  ) {}

  /**
   * Starts the node's consensus side.
   * @throws when MySQL or NATS cannot be reached, or MySQL does not commit durably (unless unsafe)
   */
  static async start(config: NodeConfig, log: NodeLog): Promise<ConsensusNode> {
    await createDatabase(config.mysqlUrl, config.mysqlDatabase);
    const db = createKysely(config.mysqlUrl, config.mysqlDatabase, config.mysqlPoolSize);
    try {
      for (const warning of await assertDurable(db, { unsafe: config.unsafeDurability })) log('warn', warning);
      await migrateToLatest(db);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const nats = await connectNats({ url: config.natsUrl, name: `behavior-${config.nodeId}`, user: config.natsUser, password: config.natsPassword, log });
    const transport = new NatsProtocolTransport(nats, {
      cluster: config.clusterName,
      self: config.nodeId,
      members: config.consensus.members,
      maxBytes: config.maxMessageBytes,
      log,
    });
    const events = new EventStore(db);
    await events.reload();
    const driver = new ReplicaDriver<Transaction<Database>>({
      config: config.consensus,
      random: systemRandom,
      storage: new MysqlAcceptorStorage(db),
      transport,
      applier: events,
      tickMs: config.tickMs,
      maxMessageBytes: config.maxMessageBytes,
      log,
    });
    await driver.start();
    const proposals = new ProposalService(
      {
        propose: (values) => driver.propose(values),
        recentOutcome: (id) => events.recentOutcome(id),
        onApplied: (listener) => events.onApplied(listener),
        hasQuorum: () => hasQuorum(driver),
      },
      config.proposal,
    );
    return new ConsensusNode(config, db, nats, transport, driver, events, proposals);
  }

  /** Stops the driver, drains NATS and closes the MySQL pool. */
  async stop(): Promise<void> {
    this.driver.stop();
    await this.nats.drain().catch(() => undefined);
    await this.db.destroy();
  }
}

/** A node sees a quorum when it leads with live peers, or follows a leader it heard recently. */
export function hasQuorum(driver: ReplicaDriver<unknown>): boolean {
  const status = driver.status();
  if (status.leaderId === null) return false;
  return status.role === 'leader' || status.peers.some((p) => p.nodeId === status.leaderId && p.silentTicks !== null && p.silentTicks < 100);
}
