import { type NodeIdentity, bumpEpoch, guardFilePath, openNodeIdentity } from '../infra/mysql/node-identity';
import { createHmac, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NatsConnection } from 'nats';
import { AggregateStore } from '../application/aggregate-store';
import { type CommandNode, CommandService } from '../application/command-service';
import { AsyncCommandQueue } from '../application/command-queue';
import { MysqlCommandQueueStore } from '../infra/mysql/command-queue-store';
import { ProposalService } from '../application/proposals';
import { storeArchive } from '../infra/nats/records-client';
import { SagaRuntime } from '../application/sagas/saga-runtime';
import { type NodeAuth, createNodeAuth } from '../auth/create-auth';
import { hashPassword } from '../auth/password';
import { SYSTEM_ACTOR } from '../domain';
import { type CheckpointTimeZone, Projector, checkCheckpointTimeZone, readModelDb, readModelSet } from '../projections';
import { LogTail } from '../projections/log-tail';
import { LeaderWeightedQueue } from '../messaging/leader-weighted-queue';
import { type PublicShare, type ShareLimits, publicShareOf } from '../messaging/public-share';
import { commandSubject, forwardCommand, serveForwardedCommands } from './command-forwarding';
import type { NodeConfig } from '../config/node-config';
import type { Random } from '../shared/random';
import { failStopOnAssertion } from '../shared/fail-stop';
import { MysqlAcceptorStorage } from '../infra/mysql/acceptor-storage';
import { MysqlAggregateSource } from '../infra/mysql/aggregate-source';
import { createDatabase, createNodeDatabases, type Database, destroyNodeDatabases, type NodeDatabases, pingDatabase } from '../infra/mysql/database';
import { assertDurable } from '../infra/mysql/durability-check';
import { EventStore, type PlannedBatch } from '../infra/mysql/event-store';
import { migrateToLatest } from '../infra/mysql/migrate';
import { SnapshotServer, catchUpFromPeerSnapshot, snapshotSubject } from './snapshot-catch-up';
import { installPending } from '../operations/snapshot/restore';
import { redactMysqlUrl } from '../infra/mysql/mysql-url';
import { connectNats, inboxPrefixFor, natsConnectionState } from '../infra/nats/connection';
import { LogSampler } from '../shared/log-sampler';
import { forwardToLeader } from './forward-to-leader';
import { logCaughtUp } from './log-caught-up';
import { MetricsRegistry } from './metrics-registry';
import { NatsProtocolTransport } from '../infra/nats/protocol-transport';
import { ReplicaDriver } from '../infra/nats/replica-driver';

/** Where the node's parts write their log lines; `fields` are structured (JSON logs). */
export type NodeLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

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
    /** The node's background pool (projections, credentials, queue, sagas, health). */
    readonly db: Kysely<Database>,
    /** The pool of API reads, each statement cut off after MYSQL_READ_TIMEOUT_MS. */
    readonly readDb: Kysely<Database>,
    private readonly databases: NodeDatabases,
    readonly nats: NatsConnection,
    readonly transport: NatsProtocolTransport,
    readonly driver: ReplicaDriver<PlannedBatch>,
    readonly events: EventStore,
    readonly proposals: ProposalService,
    readonly aggregates: AggregateStore,
    readonly projector: Projector,
    readonly commands: CommandService,
    readonly auth: NodeAuth,
    readonly sagas: SagaRuntime,
    /** Writes taken with `Prefer: respond-async`, proposed when the node counts on a quorum. */
    readonly commandQueue: AsyncCommandQueue,
    /** The newest committed events in memory, for readers that follow the log. */
    readonly logTail: LogTail,
    /** The public request subjects' queue group, weighted towards this node while it leads, left while it is no serving member. */
    readonly publicQueue: LeaderWeightedQueue,
    /** Every Prometheus metric of the node. */
    readonly metrics: MetricsRegistry,
    private readonly subscriptions: readonly { unsubscribe(): void }[],
    /** The storage's identity as this start found it. */
    readonly identity: NodeIdentity,
    private readonly epochTimer: NodeJS.Timeout,
  ) {}

  /**
   * Starts the node's consensus side.
   * @throws when MySQL or NATS cannot be reached, or MySQL does not commit durably (unless unsafe)
   */
  static async start(config: NodeConfig, log: NodeLog): Promise<ConsensusNode> {
    await createDatabase(config.mysqlUrl, config.mysqlDatabase).catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot reach MySQL at ${redactMysqlUrl(config.mysqlUrl)} (check MYSQL_URL and that the server runs): ${why}`, { cause: error });
    });
    await catchUpAtStart(config, log);
    // Accepts and log writes have a pool of their own: slow or many reads can never delay them.
    const databases = createNodeDatabases(config.mysqlUrl, config.mysqlDatabase, {
      poolSize: config.mysqlPoolSize,
      consensusPoolSize: config.mysqlConsensusPoolSize,
      readPoolSize: config.mysqlReadPoolSize,
      readTimeoutMs: config.mysqlReadTimeoutMs,
    });
    const { consensus: consensusDb, main: db } = databases;
    try {
      for (const warning of await assertDurable(consensusDb, { unsafe: config.unsafeDurability })) log('warn', warning);
      await migrateToLatest(consensusDb);
    } catch (error) {
      await destroyNodeDatabases(databases);
      throw error;
    }
    const guardFile = guardFilePath(config.guardDir, config.clusterName, config.nodeId);
    const identity = await openNodeIdentity(consensusDb, guardFile, config.clusterName, config.nodeId);
    logIdentity(identity, log);
    const nats = await connectNats({ url: config.natsUrl, name: `behavior-${config.nodeId}`, user: config.natsUser, password: config.natsPassword, inboxPrefix: nodeInboxPrefix(config), log });
    const transport = new NatsProtocolTransport(nats, {
      cluster: config.clusterName,
      self: config.nodeId,
      members: config.consensus.members,
      maxBytes: config.maxMessageBytes,
      incarnation: identity.incarnation,
      log,
    });
    const metrics = new MetricsRegistry(config.gitCommit);
    const events = new EventStore(consensusDb);
    const aggregates = new AggregateStore(new MysqlAggregateSource(consensusDb), config.aggregates);
    aggregates.onCheckpointError = (e) => log('warn', `aggregate checkpoint not written (taken again at the next one): ${e instanceof Error ? e.message : String(e)}`);
    // Folded once, by the event store's load below (which reloads its listeners), not also here.
    events.onPlanned((batch) => aggregates.onPlanned(batch));
    events.onReload(() => aggregates.load());
    // Readers that follow the log take what was just committed from memory (first listener, so
    // it holds a batch before anyone is told of it); a recovery sends them back to MySQL.
    const logTail = new LogTail();
    events.onWritten((_head, rows) => logTail.append(rows));
    events.onWritten((head) => aggregates.onWritten(head));
    events.onReload(async () => logTail.clear());
    events.onIdsLoadError = (e) => log('warn', `applied command ids not loaded (every id is looked up in MySQL instead): ${e instanceof Error ? e.message : String(e)}`);
    await events.load(db);
    // A broken invariant while projecting stops the node (fail-stop); anything else is retried.
    const onProjectorError = (e: unknown) => {
      if (!failStopOnAssertion('projector', e)) log('warn', `projector: ${e instanceof Error ? e.message : String(e)}`);
    };
    // Days in the school's time zone: the zone is handed to the projection, never read inside it.
    const projector = new Projector(readModelDb(db), readModelSet(config.schoolTimeZone), { tail: logTail, onError: onProjectorError });
    await projector.load();
    logTimeZoneCheck(await checkCheckpointTimeZone(readModelDb(db), projector.name, config.schoolTimeZone), config.nodeId, log);
    // The read models' rows and checkpoint commit with the events they follow, when the projector is caught up.
    events.joinWith(projector);
    events.onJoinedWriteError = (e) => log('warn', `read models not written with their events (the projector writes them next): ${e instanceof Error ? e.message : String(e)}`);
    events.onWritten((head) => projector.notify(head));
    events.onWritten((head) => metrics.written(head));
    void projector.run();
    const onAuthError = (e: unknown) => {
      if (!failStopOnAssertion('credentials projector', e)) log('warn', `credentials projector: ${e instanceof Error ? e.message : String(e)}`);
    };
    // A token naming a user change this node has not applied is 503 (catching up) while its log is behind the cluster's, not 401.
    let caughtUp: () => boolean = () => false;
    const auth = createNodeAuth(
      db,
      { jwtSecrets: config.jwtSecrets, tokenExpiresInSeconds: config.tokenExpiresInSeconds, logCaughtUp: () => caughtUp() },
      { tail: logTail, onError: onAuthError },
    );
    await auth.projector.catchUp();
    events.onWritten((head) => auth.projector.notify(head));
    void auth.projector.run();
    const driver = new ReplicaDriver<PlannedBatch>({
      config: config.consensus,
      random: systemRandom,
      storage: new MysqlAcceptorStorage(consensusDb, identity.incarnation),
      transport,
      applier: events,
      tickMs: config.tickMs,
      maxMessageBytes: config.maxMessageBytes,
      log,
      onPersisted: (seconds) => metrics.persisted(seconds),
      onLeaderChange: () => metrics.leaderChanged(),
    });
    await driver.start();
    caughtUp = () => !driver.isRecovering && logCaughtUp(driver.status(), config.consensus.electionTicksMin);
    const quorum = () => hasQuorum(driver, config.tickMs);
    const proposals = new ProposalService(
      {
        propose: (values) => driver.propose(values),
        recentOutcome: (id) => events.recentOutcome(id),
        onApplied: (listener) => events.onOutcomes(listener),
        hasQuorum: quorum,
      },
      config.proposal,
    );
    const subject = (nodeId: string) => commandSubject(config.apiPrefix, config.clusterName, nodeId);
    const commandNode: CommandNode = {
      isReadyLeader: () => {
        const s = driver.status();
        return s.role === 'leader' && aggregates.plannedSlot >= s.recoveredUpTo && quorum();
      },
      hasQuorum: quorum,
      // A leader that dies with the command in hand: the same command goes to the next leader.
      forward: (command, actor, commandId, options) =>
        forwardToLeader({ leaderId: () => driver.status().leaderId, self: config.nodeId, pollMs: config.tickMs }, (leaderId) =>
          forwardCommand(nats, subject(leaderId), { command, actor, commandId, ...(options?.queued ? { queued: true } : {}) }, options?.requestId),
        ),
      hashPassword,
      now: () => new Date().toISOString(),
      sagaSettings: config.sagas,
      writePreviousEventSchemas: config.writePreviousEventSchemas,
    };
    const commands = new CommandService(commandNode, aggregates, proposals, config.scoreRules, metrics);
    const sagas = new SagaRuntime(
      aggregates,
      commands,
      {
        isReadyLeader: commandNode.isReadyLeader,
        now: () => Date.now(),
        storeArchive: (archive, timeoutMs) => storeArchive(nats, config.recordsSubject, archive, timeoutMs),
        log: (level, message) => log(level, message),
      },
      { tickMs: SAGA_TICK_MS, stepDelayMs: config.sagaStepDelayMs, scoreRules: config.scoreRules },
    );
    sagas.start();
    events.onWritten(() => sagas.wake());
    driver.onRoleChange(() => sagas.wake());
    const forwardedLog = { sampler: new LogSampler(config.accessLog, Date.now), log };
    const snapshots = new SnapshotServer(nats, snapshotSubject(config.apiPrefix, config.clusterName, config.nodeId), {
      url: config.mysqlUrl,
      database: config.mysqlDatabase,
      nodeId: config.nodeId,
      cluster: config.clusterName,
      status: () => {
        const s = driver.status();
        return { chosenWatermark: s.chosenWatermark, leader: s.role === 'leader' };
      },
      log,
    });
    const subscriptions = [serveForwardedCommands(nats, subject(config.nodeId), () => commands, forwardedLog), snapshots];
    // Keyed by the signing secret (the first key): no one without it can claim the admin's command id first.
    if (config.admin) bootstrapAdmin(config.admin, bootstrapCommandId(config.clusterName, config.admin, config.jwtSecrets[0].secret), commandNode, aggregates, commands, log);
    const commandQueue = new AsyncCommandQueue(new MysqlCommandQueueStore(db), commands, quorum, log, (id) => events.outcome(id));
    commandQueue.start();
    metrics.watch({
      tickMs: config.tickMs,
      status: () => driver.status(),
      dropped: () => transport.dropped(),
      logHead: () => events.writtenHead,
      projections: () => [projector, auth.projector].map((p) => ({ name: p.name, position: p.position })),
      sagasOpen: () => aggregates.openSagaCount,
      sagasNeedingOperator: () => sagas.needingOperator().length,
      queuedCommands: () => commandQueue.depth(),
      natsState: () => natsConnectionState(nats),
      hasQuorum: quorum,
    });
    // Only members serve public requests: a node not added yet, removed, or a learner still catching up leaves the queue group.
    const publicQueue = new LeaderWeightedQueue(nats, () => publicShareOf(driver.status(), shareLimitsOf(config)));
    driver.onRoleChange(() => publicQueue.checkRole());
    // The epoch moves on every few seconds, so that a backup of this database restored later is recognised.
    let bumping = false;
    const epochTimer = setInterval(() => {
      if (bumping) return;
      bumping = true;
      bumpEpoch(consensusDb, guardFile, config.clusterName, config.nodeId, identity.incarnation)
        .catch((e: unknown) => log('warn', `storage guard: epoch not moved on: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          bumping = false;
        });
    }, GUARD_EPOCH_MS);
    epochTimer.unref();
    return new ConsensusNode(config, db, databases.reads, databases, nats, transport, driver, events, proposals, aggregates, projector, commands, auth, sagas, commandQueue, logTail, publicQueue, metrics, subscriptions, identity, epochTimer);
  }

  /**
   * How this node serves clients now (see publicShareOf): `none` while it is no member, is named
   * under another storage incarnation, or is a learner still catching up. The public queue group
   * and the readiness probe follow it.
   */
  publicShare(): PublicShare {
    return publicShareOf(this.driver.status(), shareLimitsOf(this.config));
  }

  /** True when this node counts on a quorum now (see `hasQuorum`). */
  hasQuorum(): boolean {
    return hasQuorum(this.driver, this.config.tickMs);
  }

  /**
   * Answers once the node's MySQL runs a query on its main pool (the readiness probe's check).
   *
   * @throws whatever the driver throws when it cannot
   */
  async pingDatabase(): Promise<void> {
    await pingDatabase(this.db);
  }

  /** Stops the driver, drains NATS and closes the MySQL pools. */
  async stop(): Promise<void> {
    clearInterval(this.epochTimer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.publicQueue.close();
    this.sagas.stop();
    await this.commandQueue.stop();
    // What was chosen is stored before the node goes: a restart then has no chosen tail to recover.
    await this.driver.flushWrites();
    await this.projector.stop();
    await this.auth.projector.stop();
    this.proposals.close();
    this.driver.stop();
    await this.events.stop();
    await this.nats.drain().catch(() => undefined);
    await destroyNodeDatabases(this.databases);
  }
}

/**
 * A start far behind the peers (an empty database, or a chosen log SNAPSHOT_CATCHUP_MIN_SLOTS
 * back) copies a peer's snapshot first, and so does one that finds an install interrupted (see
 * catchUpFromPeerSnapshot), over a NATS connection of its own.
 */
async function catchUpAtStart(config: NodeConfig, log: NodeLog): Promise<void> {
  if (config.snapshotCatchUpMinSlots <= 0 && !(await installPending(config.mysqlUrl, config.mysqlDatabase))) return;
  const nats = await connectNats({ url: config.natsUrl, name: `behavior-${config.nodeId}-snapshot`, user: config.natsUser, password: config.natsPassword, inboxPrefix: nodeInboxPrefix(config), log });
  try {
    const outcome = await catchUpFromPeerSnapshot({
      nats,
      prefix: config.apiPrefix,
      cluster: config.clusterName,
      self: config.nodeId,
      peers: config.consensus.members,
      url: config.mysqlUrl,
      database: config.mysqlDatabase,
      minSlots: config.snapshotCatchUpMinSlots,
      log: (level, message, fields) => log(level, message, fields),
    });
    if (!outcome.restored) log('info', `no snapshot copied at start (${outcome.reason}${outcome.detail ? `: ${outcome.detail}` : ''})`);
  } finally {
    await nats.close().catch(() => undefined);
  }
}

/** α and the heard-within bound of the node's consensus settings, as publicShareOf reads them. */
function shareLimitsOf(config: NodeConfig): ShareLimits {
  return { acceptWindowSlots: config.consensus.acceptWindowSlots, heardWithinTicks: config.consensus.electionTicksMin };
}

/** The node's inbox prefix: `_INBOX_<NATS user>` (the node id without one); only it may subscribe below. */
export function nodeInboxPrefix(config: Pick<NodeConfig, 'natsUser' | 'nodeId'>): string {
  return inboxPrefixFor(config.natsUser ?? config.nodeId);
}

/** How often the storage epoch moves on: a backup restored under this node is recognised unless it is younger than this. */
const GUARD_EPOCH_MS = 5000;

/** Says at start what the storage guard found; a lost or rolled-back storage is an error the operator must act on. */
function logIdentity(identity: NodeIdentity, log: (level: 'info' | 'warn' | 'error', message: string) => void): void {
  switch (identity.outcome) {
    case 'lost':
      return log(
        'error',
        `storage lost: this database is new but the guard file names incarnation ${identity.previousIncarnation}. This node votes on nothing under its new incarnation ${identity.incarnation} until an operator adds it again: npm run cli -- cluster:replace-node <this id> <this id> (or cluster:add-node <this id> --learner, then cluster:promote <this id>)`,
      );
    case 'rolled-back':
      return log(
        'error',
        `storage rolled back: the database's epoch is behind the guard file's (a restored backup). Its promises and accepts were dropped; it votes on nothing under its new incarnation ${identity.incarnation} (was ${identity.previousIncarnation}) until an operator adds it again: npm run cli -- cluster:replace-node <this id> <this id>`,
      );
    case 'upgraded':
      return log('info', `storage from before incarnations: incarnation ${identity.incarnation}, bound once every member runs this release`);
    default:
      return log('info', `storage incarnation ${identity.incarnation}, epoch ${identity.epoch}${identity.outcome === 'new' ? ' (new)' : ''}`);
  }
}

/**
 * Says at start when the read models count days in another zone than SCHOOL_TIME_ZONE (the
 * setting changed since they were built): the node goes on, projecting new changes in the new zone
 * over rows of the old one, until an operator rebuilds them. Never rebuilt silently.
 */
export function logTimeZoneCheck(check: CheckpointTimeZone, nodeId: string, log: (level: 'warn', message: string) => void): void {
  if (check.matches) return;
  log(
    'warn',
    `SCHOOL_TIME_ZONE is ${check.configured} but student_daily_scores counts days in ${check.recorded} (built before the setting changed): the charts mix both zones until it is rebuilt. ` +
      `Run: SCHOOL_TIME_ZONE=${check.configured} npm run cli -- projections:rebuild --projection student_daily_scores --node ${nodeId}`,
  );
}

/** How often the leader looks for open sagas to drive. */
const SAGA_TICK_MS = 50;

/** How recently a node must have heard its peers (or its leader) to count on a quorum. */
export const QUORUM_SILENCE_MS = 300;

/**
 * A node counts on a quorum when it leads and heard a quorum of peers within
 * QUORUM_SILENCE_MS, or follows a leader it heard within that time. Six heartbeats missed is
 * enough to stop promising writes long before the leader's own election timeout steps it down.
 */
export function hasQuorum(driver: ReplicaDriver<PlannedBatch>, tickMs: number): boolean {
  const status = driver.status();
  if (status.leaderId === null || driver.isRecovering) return false;
  const heard = (silentTicks: number | null) => silentTicks !== null && silentTicks * tickMs < QUORUM_SILENCE_MS;
  if (status.role === 'leader') {
    // The voters of the configuration the next slot is decided in (learners do not count).
    const { voters, phase2Quorum } = status.membership;
    const self = voters.includes(status.nodeId) ? 1 : 0;
    return self + status.peers.filter((p) => voters.includes(p.nodeId) && heard(p.silentTicks)).length >= phase2Quorum;
  }
  return status.peers.some((p) => p.nodeId === status.leaderId && heard(p.silentTicks));
}

const BOOTSTRAP_CHECK_MS = 500;

/**
 * The bootstrap admin's command id: an HMAC, keyed by the token-signing secret, of the cluster
 * name and the admin's username and password. Every node configured alike derives the same id on
 * every start, so a retry or a second node's attempt applies once; no one without those secrets
 * can compute it, so no one can claim it in the log first (which would make the bootstrap a
 * duplicate of their command and leave the cluster without an admin). Nodes configured with
 * different passwords derive different ids, and the username's uniqueness still lets only one
 * CreateUser apply.
 *
 * @example bootstrapCommandId('behavior', { username: 'admin', password: 'pw' }, secret) // 'bootstrap-admin-3f0c…'
 */
export function bootstrapCommandId(clusterName: string, admin: { username: string; password: string }, secret: string): string {
  const mac = createHmac('sha256', secret).update(JSON.stringify(['bootstrap-admin', clusterName, admin.username, admin.password])).digest('hex');
  return `bootstrap-admin-${mac.slice(0, 32)}`;
}

/**
 * Creates the bootstrap admin through the log, once, when this node leads a cluster with no user.
 * Every node runs the check; only a ready leader acts, and the command id (`bootstrapCommandId`)
 * makes it apply once.
 */
function bootstrapAdmin(
  admin: { username: string; password: string },
  commandId: string,
  node: CommandNode,
  aggregates: AggregateStore,
  commands: CommandService,
  log: NodeLog,
): void {
  let running = false;
  const timer = setInterval(() => {
    if (aggregates.anyUser) return clearInterval(timer);
    if (running || !node.isReadyLeader()) return;
    running = true;
    const command = { name: 'users.create', data: { username: admin.username, password: admin.password, role: 'admin', displayName: 'Administrator' } } as const;
    commands
      .executeAs(command, SYSTEM_ACTOR, commandId)
      .then(() => log('info', `bootstrap admin ${admin.username} created`))
      .catch((error: unknown) => log('warn', `bootstrap admin not created yet: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (running = false));
  }, BOOTSTRAP_CHECK_MS);
  timer.unref();
}
