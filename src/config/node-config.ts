import { type ConsensusConfig, consensusConfig } from '../consensus';
import { DEFAULT_SAGA_SETTINGS, type SagaSettings } from '../sagas';
import type { AggregateStoreOptions } from '../application/aggregate-store';
import { authConfigOf } from '../auth/auth-config';
import type { JwtSecret } from '../auth/jwt-keys';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleOptions } from '../auth/login-throttle';
import type { ScoreRules } from '../domain';
import type { LogSampling } from '../shared/log-sampler';
import { type EnvSource, parseEnv, pickEnv } from './env-schema';
import { HEARTBEAT_MS, NODE_ENV, type NodeEnv, PUBLIC_REQUESTS_MAX_DEFAULT, parseNodeEnv, trustProxyOf } from './node-env';

export { HEARTBEAT_MS, PUBLIC_REQUESTS_MAX_DEFAULT, trustProxyOf };

const INFLIGHT_SLOTS = 16;

/**
 * Everything one node process needs, read from the environment with the node's schema
 * (src/config/node-env.ts, docs/configuration.md) and validated at start.
 */
export interface NodeConfig {
  readonly nodeId: string;
  readonly clusterName: string;
  /** First token of the public subjects (`<prefix>.cmd.…`); clusters sharing a NATS server differ here. */
  readonly apiPrefix: string;
  readonly consensus: ConsensusConfig;
  readonly httpPort: number;
  /** How many following ports the node may fall back to when `httpPort` is taken. */
  readonly httpPortRange: number;
  readonly httpHost: string;
  /**
   * The base URL clients reach this node's HTTP API at (`ADVERTISED_HTTP_URL`), sent to clients as
   * the leader hint; unset: `http://HTTP_HOST:<port taken>` unless HTTP_HOST is a wildcard address.
   */
  readonly advertisedHttpUrl?: string;
  readonly natsUrl: string;
  readonly natsUser?: string;
  readonly natsPassword?: string;
  readonly mysqlUrl: string;
  readonly mysqlDatabase: string;
  readonly mysqlPoolSize: number;
  /** Connections of the consensus path's own pool (acceptor persists, log writes), which no read uses. */
  readonly mysqlConsensusPoolSize: number;
  /** Connections of the pool that serves API reads (REST, NATS queries). */
  readonly mysqlReadPoolSize: number;
  /** The longest a statement on the read pool may run before MySQL cuts it off (0: no limit). */
  readonly mysqlReadTimeoutMs: number;
  /** Runs with innodb_flush_log_at_trx_commit other than 1: throwaway runs only. */
  readonly unsafeDurability: boolean;
  readonly tickMs: number;
  readonly maxMessageBytes: number;
  /** SNAPSHOT_CATCHUP_MIN_SLOTS: an empty node copies a peer's snapshot when the peer has chosen this many slots (0: never). */
  readonly snapshotCatchUpMinSlots: number;
  readonly proposal: { noQuorumMs: number; timeoutMs: number; resendMs: number };
  readonly logLevel: string;
  /** `json`: JSON log lines on a terminal too (LOG_FORMAT); `pretty`: pretty lines on a terminal. */
  readonly logFormat: 'json' | 'pretty';
  /** The directory of the storage guard file (see node-identity). */
  readonly guardDir: string;
  /** The commit `behavior_build_info` reports (GIT_COMMIT); unset: the checkout's HEAD. */
  readonly gitCommit?: string;
  /** Stop when standard input ends, i.e. the parent process is gone (EXIT_WITH_PARENT). */
  readonly exitWithParent: boolean;
  /** The bootstrap admin, created once through the log when the cluster has no user. */
  readonly admin?: { readonly username: string; readonly password: string };
  /** The keys that sign access tokens (the first signs, all verify): JWT_SECRETS or JWT_SECRET, required outside NODE_ENV=development. */
  readonly jwtSecrets: readonly JwtSecret[];
  /** True when NODE_ENV=development let the public development secret stand in for JWT_SECRET. */
  readonly developmentSecret: boolean;
  readonly tokenExpiresInSeconds: number;
  /** HTTP requests one signed-in user, or else one client address, may make per second (30 times that per minute); 429 above. */
  readonly httpRateLimitPerSecond: number;
  /**
   * Whose `X-Forwarded-For` gives the client address (TRUST_PROXY): false (default, the TCP peer),
   * a hop count, or proxy addresses/subnets (`loopback`, `10.0.0.0/8`, …).
   */
  readonly trustProxy: false | number | readonly string[];
  /** Failed-login limits (LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS). */
  readonly loginThrottle: LoginThrottleOptions;
  /** Saga limits (students per batch and per chunk, the records service's timeout). */
  readonly sagas: SagaSettings;
  /** A pause the leader takes after each saga step (0: none). */
  readonly sagaStepDelayMs: number;
  /** How often a live stream (GET /api/stream) sends a keep-alive comment and checks its session (`LIVE_STREAM_KEEPALIVE_MS`, 100..60000, default 15000). */
  readonly liveStreamKeepAliveMs: number;
  /**
   * Aggregate snapshots and the cache of cold aggregates: `AGGREGATE_SNAPSHOT_EVERY_EVENTS`
   * (default 100000; 0 turns snapshots off) and `AGGREGATE_CACHE_MAX` (default 50000; 0 keeps
   * every aggregate in memory). Defaults when absent.
   */
  readonly aggregates?: AggregateStoreOptions;
  /** The subject the student-records service answers on. */
  readonly recordsSubject: string;
  /**
   * The allowed score range (`SCORE_MIN`..`SCORE_MAX`, default 0..200). Only the leader decides,
   * and the log stores decided events, so a node started with another range changes what it
   * decides while it leads, never what a replay of the log gives.
   */
  readonly scoreRules: ScoreRules;
  /**
   * The school's time zone (`SCHOOL_TIME_ZONE`, an IANA name, default UTC): which local day a
   * score change counts for in `student_daily_scores`, the class series and "today". The same on
   * every node; the read models record the zone they were built in (a node warns at start when
   * they differ, until `projections:rebuild`).
   */
  readonly schoolTimeZone: string;
  /**
   * Serves the benchmark's `<prefix>.cmd.log.append` (opaque records, no token): only when
   * `BENCH_LOG_APPEND=1`, which the benchmark and the cluster tests set; never in production.
   */
  readonly benchLogAppend: boolean;
  /**
   * Writes every event in the schema version the previous release reads
   * (`WRITE_PREVIOUS_EVENT_SCHEMAS=1`), for a rolling upgrade whose release raised an event's
   * version: set it on every upgraded node until no node of the previous release is left.
   */
  readonly writePreviousEventSchemas: boolean;
  /** Public NATS requests this node serves at once (`PUBLIC_REQUESTS_MAX`); beyond it, 503 with Retry-After. */
  readonly publicRequestsMax: number;
  /**
   * Port of the admin listener that serves `/metrics` and `/api/docs` instead of the main port
   * (`ADMIN_HTTP_PORT`, on `ADMIN_HTTP_HOST`, default HTTP_HOST); unset: both stay on the main port.
   */
  readonly adminHttpPort?: number;
  readonly adminHttpHost: string;
  /** Which access log lines are written (`ACCESS_LOG_SLOW_MS`, `ACCESS_LOG_PER_SECOND`, `ACCESS_LOG_SAMPLE_RATE`). */
  readonly accessLog: LogSampling;
}

/**
 * The protocol's timeouts in milliseconds; the tick counts follow from TICK_MS. The default tick is
 * the heartbeat interval itself (as etcd ticks once per heartbeat), so an idle node wakes 20 times a
 * second for consensus, not 100; a smaller TICK_MS only makes the timeouts finer.
 */
export const ELECTION_MS_MIN = 300;
export const ELECTION_MS_MAX = 600;
export const RETRANSMIT_MS = 200;
export const TICK_MS_DEFAULT = HEARTBEAT_MS;

/** The consensus tick counts that give the timeouts above at `tickMs` per tick. */
export function ticksOf(tickMs: number): { heartbeatTicks: number; electionTicksMin: number; electionTicksMax: number; retransmitTicks: number } {
  const ticks = (ms: number) => Math.max(1, Math.round(ms / tickMs));
  return { heartbeatTicks: ticks(HEARTBEAT_MS), electionTicksMin: ticks(ELECTION_MS_MIN), electionTicksMax: ticks(ELECTION_MS_MAX), retransmitTicks: ticks(RETRANSMIT_MS) };
}

/**
 * Reads and validates the node's settings with the node's schema (unknown variables ignored).
 * @throws ConfigError naming each variable that is wrong
 */
export function nodeConfigFromEnv(env: EnvSource): NodeConfig {
  return nodeConfigOf(parseNodeEnv(env));
}

/** The node's settings, shaped for its parts, of the values the schema read. */
export function nodeConfigOf(env: NodeEnv): NodeConfig {
  const consensus = consensusConfig({
    nodeId: env.NODE_ID,
    members: env.CLUSTER_NODES,
    phase1Quorum: env.PHASE1_QUORUM,
    phase2Quorum: env.PHASE2_QUORUM,
    ...ticksOf(env.TICK_MS),
    // A Phase1b carries every accept in the window, so window x batch bytes stays under one
    // NATS message (1 MiB by default): 32 slots x 24 KiB, within phase1bBytesMax (800,000).
    inflightSlotsMax: INFLIGHT_SLOTS,
    batchCommandsMax: 256,
    batchBytesMax: 24 * 1024,
    acceptWindowSlots: 2 * INFLIGHT_SLOTS,
    catchupBatchMax: 500,
  });
  const auth = authConfigOf(env);
  return {
    nodeId: env.NODE_ID,
    clusterName: env.CLUSTER_NAME,
    apiPrefix: env.API_SUBJECT_PREFIX,
    consensus,
    httpPort: env.HTTP_PORT,
    httpPortRange: env.HTTP_PORT_RANGE,
    httpHost: env.HTTP_HOST,
    advertisedHttpUrl: env.ADVERTISED_HTTP_URL,
    natsUrl: env.NATS_URL,
    natsUser: env.NATS_USER,
    natsPassword: env.NATS_PASSWORD,
    mysqlUrl: env.MYSQL_URL,
    mysqlDatabase: env.MYSQL_DATABASE,
    mysqlPoolSize: env.MYSQL_POOL_SIZE,
    mysqlConsensusPoolSize: env.MYSQL_CONSENSUS_POOL_SIZE,
    mysqlReadPoolSize: env.MYSQL_READ_POOL_SIZE,
    mysqlReadTimeoutMs: env.MYSQL_READ_TIMEOUT_MS,
    unsafeDurability: env.UNSAFE_DURABILITY,
    tickMs: env.TICK_MS,
    maxMessageBytes: 1_000_000,
    snapshotCatchUpMinSlots: env.SNAPSHOT_CATCHUP_MIN_SLOTS,
    proposal: { noQuorumMs: 1200, timeoutMs: env.PROPOSAL_TIMEOUT_MS, resendMs: 250 },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    guardDir: env.NODE_GUARD_DIR,
    gitCommit: env.GIT_COMMIT,
    exitWithParent: env.EXIT_WITH_PARENT,
    admin: env.ADMIN_USERNAME !== undefined && env.ADMIN_PASSWORD !== undefined ? { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD } : undefined,
    jwtSecrets: auth.jwtSecrets,
    developmentSecret: auth.developmentSecret,
    tokenExpiresInSeconds: auth.tokenExpiresInSeconds,
    httpRateLimitPerSecond: env.HTTP_RATE_LIMIT_PER_SECOND,
    trustProxy: env.TRUST_PROXY,
    loginThrottle: { ...DEFAULT_LOGIN_THROTTLE, accountFailuresMax: env.LOGIN_FAILURES_PER_ACCOUNT, addressFailuresMax: env.LOGIN_FAILURES_PER_ADDRESS },
    sagas: { ...DEFAULT_SAGA_SETTINGS, chunkStudentsMax: env.SAGA_CHUNK_STUDENTS_MAX, storeTimeoutMs: env.RECORDS_TIMEOUT_MS },
    sagaStepDelayMs: env.SAGA_STEP_DELAY_MS,
    liveStreamKeepAliveMs: env.LIVE_STREAM_KEEPALIVE_MS,
    aggregates: aggregateStoreOptionsOfValues(env),
    recordsSubject: env.RECORDS_SUBJECT,
    scoreRules: Object.freeze({ min: env.SCORE_MIN, max: env.SCORE_MAX }),
    schoolTimeZone: env.SCHOOL_TIME_ZONE,
    adminHttpPort: env.ADMIN_HTTP_PORT,
    adminHttpHost: env.ADMIN_HTTP_HOST,
    accessLog: { slowMs: env.ACCESS_LOG_SLOW_MS, perSecondMax: env.ACCESS_LOG_PER_SECOND, sampleRate: env.ACCESS_LOG_SAMPLE_RATE },
    benchLogAppend: env.BENCH_LOG_APPEND,
    writePreviousEventSchemas: env.WRITE_PREVIOUS_EVENT_SCHEMAS,
    publicRequestsMax: env.PUBLIC_REQUESTS_MAX,
  };
}

/** A node's own advertised HTTP base URL: ADVERTISED_HTTP_URL, else http://HTTP_HOST:port unless the host is a wildcard. */
export function advertisedHttpUrl(config: Pick<NodeConfig, 'advertisedHttpUrl' | 'httpHost'>, port: number | null): string | null {
  if (config.advertisedHttpUrl !== undefined) return config.advertisedHttpUrl;
  if (port === null || ['0.0.0.0', '::', ''].includes(config.httpHost)) return null;
  const host = config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost;
  return `http://${host}:${port}`;
}

const AGGREGATE_ENV = pickEnv(NODE_ENV, ['AGGREGATE_SNAPSHOT_EVERY_EVENTS', 'AGGREGATE_SNAPSHOT_INTERVAL_MS', 'AGGREGATE_CACHE_MAX']);

/** AGGREGATE_SNAPSHOT_EVERY_EVENTS, AGGREGATE_SNAPSHOT_INTERVAL_MS and AGGREGATE_CACHE_MAX (0: no snapshots; 0: by events only; 0: no bound). */
export function aggregateStoreOptionsOf(env: EnvSource): AggregateStoreOptions {
  return aggregateStoreOptionsOfValues(parseEnv(AGGREGATE_ENV, env));
}

function aggregateStoreOptionsOfValues(env: Pick<NodeEnv, 'AGGREGATE_SNAPSHOT_EVERY_EVENTS' | 'AGGREGATE_SNAPSHOT_INTERVAL_MS' | 'AGGREGATE_CACHE_MAX'>): AggregateStoreOptions {
  return {
    snapshotEveryEvents: env.AGGREGATE_SNAPSHOT_EVERY_EVENTS,
    snapshotIntervalMs: env.AGGREGATE_SNAPSHOT_INTERVAL_MS,
    coldCacheMax: env.AGGREGATE_CACHE_MAX === 0 ? Infinity : env.AGGREGATE_CACHE_MAX,
  };
}
