import type { RevokedTokensTable, UserCredentialsTable } from '../../auth/credentials-database';
import type { ReadModelTables } from '../../projections/read-model-database';
import { type Generated, Kysely, MysqlDialect, sql } from 'kysely';
import { type PoolConnection, createPool } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { checkDatabaseName } from './database-name';
import { MysqlConfigError } from './mysql-config-error';
import { parseMysqlUrl } from './mysql-url';
import { preparedAwarePool, PREPARED_STATEMENTS_PER_CONNECTION_MAX } from './prepared-statements';

/** The single row (`id` = 1) holding the acceptor's promised ballot. */
export interface PaxosPromiseTable {
  id: number;
  round: number;
  node_id: string;
}

/**
 * The log, one row per slot: above the chosen watermark, the highest-ballot value this acceptor
 * accepted there; at or below it, the chosen value (the ballot is the accept's, or zero where
 * the slot was learned without one). Kept, never pruned.
 */
export interface PaxosAcceptedTable {
  slot: number;
  ballot_round: number;
  ballot_node: string;
  /** The SlotValue as JSON text (see slot-value-json.ts). */
  value: string;
}

/**
 * The chosen log, a view (migration 0016) of the `paxos_accepted` rows at or below the chosen
 * watermark: read it, never write it.
 */
export interface PaxosChosenTable {
  slot: number;
  /** The SlotValue as JSON text (see slot-value-json.ts). */
  value: string;
}

/** The storage's identity (one row, id 1): see migration 0010. */
export interface NodeIdentityTable {
  id: number;
  node_id: string;
  incarnation: string;
  epoch: number;
  created_at: Date;
}

/** Small named counters that must survive restarts, e.g. `chosen_watermark`, `applied_slot`. */
export interface PaxosMetaTable {
  name: string;
  value: number;
}

/** The event log: every applied event with its gap-free global position. */
export type EventLogTable = import('./command-record').EventRow;

/** The first outcome of every command id ever applied (idempotency that never expires). */
export interface AppliedCommandsTable {
  command_id: string;
  slot: number;
  /** The CommandOutcome as JSON text. */
  outcome: string;
}

/** Writes taken with `Prefer: respond-async`, waiting to be proposed (migration 0007). */
export interface QueuedCommandsTable {
  command_id: string;
  /** The ApiCommand as JSON text. */
  command: string;
  /** The Actor as JSON text. */
  actor: string;
  queued_at: Date;
  attempts: Generated<number>;
  /** A refusal the log does not record (DomainError JSON), or null while the command waits. */
  refusal: string | null;
}

/** The newest snapshot of each aggregate, current at the checkpoint (migration 0008). */
export interface AggregateSnapshotsTable {
  kind: string;
  aggregate_id: string;
  /** The log position of the aggregate's last event folded into `state`. */
  position: number;
  /** True when nodes do not keep the aggregate in memory (it is loaded on demand). */
  cold: boolean;
  /** The state as JSON text. */
  state: string;
}

/** The single row (`id` = 1): the log position every snapshot is current at. */
export interface AggregateCheckpointTable {
  id: number;
  position: number;
}

/** Every table of a node's database, as Kysely sees them: the read models' and these. */
export interface Database extends ReadModelTables {
  user_credentials: UserCredentialsTable;
  revoked_tokens: RevokedTokensTable;
  event_log: EventLogTable;
  applied_commands: AppliedCommandsTable;
  queued_commands: QueuedCommandsTable;
  paxos_promise: PaxosPromiseTable;
  paxos_accepted: PaxosAcceptedTable;
  paxos_chosen: PaxosChosenTable;
  node_identity: NodeIdentityTable;
  paxos_meta: PaxosMetaTable;
  aggregate_snapshots: AggregateSnapshotsTable;
  aggregate_checkpoint: AggregateCheckpointTable;
}

/** Connections one node's pool may open at most. */
export const POOL_SIZE_MAX = 64;
/** Queries that may wait for a free pooled connection before mysql2 refuses more. */
export const POOL_QUEUE_MAX = 10_000;

/**
 * Creates database `name` (e.g. `behavior_n1`) when it is missing, with utf8mb4 and a binary
 * collation: ids and idempotency keys must compare byte for byte, as they do in JS.
 * Any database in the URL's path is ignored; it may not exist yet.
 *
 * @throws MysqlConfigError on a bad URL or name; mysql2's error when the server refuses.
 */
export async function createDatabase(url: string, name: string): Promise<void> {
  const quoted = `\`${checkDatabaseName(name)}\``;
  const connection = await createConnection({ ...parseMysqlUrl(url), database: undefined });
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await connection.end();
  }
}

/** Settings of one pool besides its size. */
export interface PoolOptions {
  /**
   * The longest one statement may run on this pool's connections before the server cuts it off
   * (MariaDB `max_statement_time`; MySQL's `max_execution_time`, which covers SELECTs only).
   * Absent or 0: no limit. Only for pools that never write a consensus decision.
   */
  readonly statementTimeoutMs?: number;
}

/**
 * A Kysely instance on a mysql2 pool of `poolSize` connections to `database`. BIGINTs come
 * back as JS numbers while they are safe integers (strings beyond, which readers assert
 * against); dates are read and written in UTC, whatever the host's time zone. Queries sent
 * through executePrepared() run as prepared statements, the rest as Kysely runs them.
 * Call `destroy()` to close the pool.
 *
 * @example const db = createKysely('mysql://root@127.0.0.1:3306', 'behavior_n1', 8)
 * @example const reads = createKysely(url, 'behavior_n1', 4, { statementTimeoutMs: 5000 })
 * @throws MysqlConfigError on a bad URL, name or pool size.
 */
export function createKysely(url: string, database: string, poolSize: number, options: PoolOptions = {}): Kysely<Database> {
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > POOL_SIZE_MAX) {
    throw new MysqlConfigError(`pool size must be an integer in 1..${POOL_SIZE_MAX}, got ${poolSize}`);
  }
  const pool = createPool({
    ...parseMysqlUrl(url),
    database: checkDatabaseName(database),
    connectionLimit: poolSize,
    maxIdle: poolSize,
    queueLimit: POOL_QUEUE_MAX,
    charset: 'UTF8MB4_BIN',
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    enableKeepAlive: true,
    maxPreparedStatements: PREPARED_STATEMENTS_PER_CONNECTION_MAX,
  });
  const timeoutMs = options.statementTimeoutMs ?? 0;
  if (timeoutMs > 0) pool.on('connection', (connection) => limitStatementTime(connection, timeoutMs));
  return new Kysely<Database>({ dialect: new MysqlDialect({ pool: preparedAwarePool(pool) }) });
}

/**
 * Sets the session's statement time limit as the connection opens. A connection runs its
 * statements in order, so the limit is in force before the first query the pool hands it.
 */
function limitStatementTime(connection: PoolConnection, timeoutMs: number): void {
  connection.query(`SET SESSION max_statement_time = ${timeoutMs / 1000}`, (error) => {
    // MySQL has no max_statement_time: its max_execution_time (ms, SELECTs only) is the nearest.
    if (error) connection.query(`SET SESSION max_execution_time = ${Math.round(timeoutMs)}`, () => undefined);
  });
}

/** A node's three pools: each part of the node waits only for its own connections. */
export interface NodeDatabases {
  /** Acceptor persists and log writes (and the state they load at start): nothing else queues here. */
  readonly consensus: Kysely<Database>;
  /** Projections, credentials, the command queue, sagas, health: background work of the node. */
  readonly main: Kysely<Database>;
  /** API reads (REST and NATS queries), each statement cut off after the read time limit. */
  readonly reads: Kysely<Database>;
}

/** Sizes and limits of a node's pools (NodeConfig's MySQL settings). */
export interface NodePoolSizes {
  readonly poolSize: number;
  readonly consensusPoolSize: number;
  readonly readPoolSize: number;
  readonly readTimeoutMs: number;
}

/**
 * Opens a node's pools on `database`: a slow or flooding read can take every read connection
 * and still never delay an accept. Call `destroyNodeDatabases` to close them.
 *
 * @throws MysqlConfigError on a bad URL, name or pool size.
 */
export function createNodeDatabases(url: string, database: string, sizes: NodePoolSizes): NodeDatabases {
  return {
    consensus: createKysely(url, database, sizes.consensusPoolSize),
    main: createKysely(url, database, sizes.poolSize),
    reads: createKysely(url, database, sizes.readPoolSize, { statementTimeoutMs: sizes.readTimeoutMs }),
  };
}

/** Closes every pool of a node. */
export async function destroyNodeDatabases(dbs: NodeDatabases): Promise<void> {
  await Promise.all([dbs.consensus.destroy(), dbs.main.destroy(), dbs.reads.destroy()]);
}

/**
 * Answers once `db` runs a trivial query: the server is reachable and has a connection to give.
 *
 * @throws whatever the driver throws when it cannot
 */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
