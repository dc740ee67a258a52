import { ConfigError, type ConsensusConfig, consensusConfig } from '../consensus';
import { DEFAULT_SAGA_SETTINGS, type SagaSettings } from '../sagas';
import { RECORDS_STORE_SUBJECT } from '../infra/nats/records-client';
import { type AggregateStoreOptions, DEFAULT_AGGREGATE_STORE_OPTIONS } from '../application/aggregate-store';
import { authConfigFromEnv } from '../auth/auth-config';
import type { JwtSecret } from '../auth/jwt-keys';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleOptions } from '../auth/login-throttle';
import { isIP } from 'node:net';
import { DEFAULT_INITIAL_SCORE, DEFAULT_SCORE_RULES, type ScoreRules } from '../domain';
import { DEFAULT_LOG_SAMPLING, type LogSampling } from '../shared/log-sampler';

const INFLIGHT_SLOTS = 16;

/** Everything one node process needs, read from the environment and validated at start. */
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
  readonly proposal: { noQuorumMs: number; timeoutMs: number; resendMs: number };
  readonly logLevel: string;
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
export const HEARTBEAT_MS = 50;
export const ELECTION_MS_MIN = 300;
export const ELECTION_MS_MAX = 600;
export const RETRANSMIT_MS = 200;
export const TICK_MS_DEFAULT = HEARTBEAT_MS;

/** The consensus tick counts that give the timeouts above at `tickMs` per tick. */
export function ticksOf(tickMs: number): { heartbeatTicks: number; electionTicksMin: number; electionTicksMax: number; retransmitTicks: number } {
  const ticks = (ms: number) => Math.max(1, Math.round(ms / tickMs));
  return { heartbeatTicks: ticks(HEARTBEAT_MS), electionTicksMin: ticks(ELECTION_MS_MIN), electionTicksMax: ticks(ELECTION_MS_MAX), retransmitTicks: ticks(RETRANSMIT_MS) };
}

/** Public NATS requests one node serves at once unless PUBLIC_REQUESTS_MAX says otherwise. */
export const PUBLIC_REQUESTS_MAX_DEFAULT = 1024;

/**
 * Reads and validates the node's settings.
 * @throws ConfigError naming the first variable that is wrong
 */
export function nodeConfigFromEnv(env: NodeJS.ProcessEnv): NodeConfig {
  const nodeId = env.NODE_ID ?? 'n1';
  const members = (env.CLUSTER_NODES ?? 'n1,n2,n3').split(',').map((s) => s.trim()).filter(Boolean);
  const clusterName = env.CLUSTER_NAME ?? 'behavior';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(clusterName)) throw new ConfigError(`CLUSTER_NAME must match [A-Za-z0-9_-]{1,64}, got ${clusterName}`);
  const tickMs = optionalInt(env, 'TICK_MS') ?? TICK_MS_DEFAULT;
  if (tickMs < 1 || tickMs > HEARTBEAT_MS) throw new ConfigError(`TICK_MS must be 1..${HEARTBEAT_MS} (the heartbeat interval), got ${tickMs}`);
  const consensus = consensusConfig({
    nodeId,
    members,
    phase1Quorum: optionalInt(env, 'PHASE1_QUORUM'),
    phase2Quorum: optionalInt(env, 'PHASE2_QUORUM'),
    ...ticksOf(tickMs),
    // A Phase1b carries every accept in the window, so window x batch bytes stays under one
    // NATS message (1 MiB by default): 32 slots x 24 KiB, within phase1bBytesMax (800,000).
    inflightSlotsMax: INFLIGHT_SLOTS,
    batchCommandsMax: 256,
    batchBytesMax: 24 * 1024,
    acceptWindowSlots: 2 * INFLIGHT_SLOTS,
    catchupBatchMax: 500,
  });
  const auth = authConfigFromEnv(env);
  const apiPrefix = env.API_SUBJECT_PREFIX || 'behavior';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(apiPrefix)) throw new ConfigError(`API_SUBJECT_PREFIX must match [A-Za-z0-9_-]{1,64}, got ${apiPrefix}`);
  return {
    nodeId,
    clusterName,
    apiPrefix,
    consensus,
    httpPort: optionalInt(env, 'HTTP_PORT') ?? 3000,
    httpPortRange: optionalInt(env, 'HTTP_PORT_RANGE') ?? 0,
    httpHost: env.HTTP_HOST ?? '127.0.0.1',
    advertisedHttpUrl: advertisedUrlOf(env),
    natsUrl: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    natsUser: env.NATS_USER || undefined,
    natsPassword: env.NATS_PASSWORD || undefined,
    mysqlUrl: env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
    mysqlDatabase: env.MYSQL_DATABASE ?? `behavior_${nodeId}`,
    mysqlPoolSize: optionalInt(env, 'MYSQL_POOL_SIZE') ?? 8,
    mysqlConsensusPoolSize: optionalInt(env, 'MYSQL_CONSENSUS_POOL_SIZE') ?? 4,
    mysqlReadPoolSize: optionalInt(env, 'MYSQL_READ_POOL_SIZE') ?? 4,
    mysqlReadTimeoutMs: readTimeoutOf(env),
    unsafeDurability: env.UNSAFE_DURABILITY === '1' || env.UNSAFE_DURABILITY === 'true',
    tickMs,
    maxMessageBytes: 1_000_000,
    proposal: { noQuorumMs: 1200, timeoutMs: optionalInt(env, 'PROPOSAL_TIMEOUT_MS') ?? 10_000, resendMs: 250 },
    logLevel: env.LOG_LEVEL ?? 'info',
    admin: env.ADMIN_USERNAME && env.ADMIN_PASSWORD ? { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD } : undefined,
    jwtSecrets: auth.jwtSecrets,
    developmentSecret: auth.developmentSecret,
    tokenExpiresInSeconds: auth.tokenExpiresInSeconds,
    httpRateLimitPerSecond: optionalInt(env, 'HTTP_RATE_LIMIT_PER_SECOND') ?? 100,
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    loginThrottle: {
      ...DEFAULT_LOGIN_THROTTLE,
      accountFailuresMax: positiveInt(env, 'LOGIN_FAILURES_PER_ACCOUNT') ?? DEFAULT_LOGIN_THROTTLE.accountFailuresMax,
      addressFailuresMax: positiveInt(env, 'LOGIN_FAILURES_PER_ADDRESS') ?? DEFAULT_LOGIN_THROTTLE.addressFailuresMax,
    },
    sagas: sagaSettingsOf(env),
    sagaStepDelayMs: optionalInt(env, 'SAGA_STEP_DELAY_MS') ?? 0,
    liveStreamKeepAliveMs: keepAliveOf(env),
    aggregates: aggregateStoreOptionsOf(env),
    recordsSubject: env.RECORDS_SUBJECT || RECORDS_STORE_SUBJECT,
    scoreRules: scoreRulesOf(env),
    adminHttpPort: adminPortOf(env, optionalInt(env, 'HTTP_PORT') ?? 3000),
    adminHttpHost: env.ADMIN_HTTP_HOST || (env.HTTP_HOST ?? '127.0.0.1'),
    accessLog: accessLogOf(env),
    benchLogAppend: env.BENCH_LOG_APPEND === '1' || env.BENCH_LOG_APPEND === 'true',
    writePreviousEventSchemas: flagOf(env, 'WRITE_PREVIOUS_EVENT_SCHEMAS'),
    publicRequestsMax: publicRequestsMaxOf(env),
  };
}

/** A node's own advertised HTTP base URL: ADVERTISED_HTTP_URL, else http://HTTP_HOST:port unless the host is a wildcard. */
export function advertisedHttpUrl(config: Pick<NodeConfig, 'advertisedHttpUrl' | 'httpHost'>, port: number | null): string | null {
  if (config.advertisedHttpUrl !== undefined) return config.advertisedHttpUrl;
  if (port === null || ['0.0.0.0', '::', ''].includes(config.httpHost)) return null;
  const host = config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost;
  return `http://${host}:${port}`;
}

function advertisedUrlOf(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.ADVERTISED_HTTP_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`ADVERTISED_HTTP_URL must be an http(s) URL, got ${raw}`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`ADVERTISED_HTTP_URL must be an http(s) URL without credentials, query or fragment, got ${raw}`);
  }
  return raw.replace(/\/+$/, '');
}

function flagOf(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new ConfigError(`${name} must be 1, true, 0 or false, got '${value}'`);
}

function adminPortOf(env: NodeJS.ProcessEnv, httpPort: number): number | undefined {
  const port = optionalInt(env, 'ADMIN_HTTP_PORT');
  if (port !== undefined && (port < 1 || port > 65535)) throw new ConfigError(`ADMIN_HTTP_PORT must be 1..65535, got ${port}`);
  if (port !== undefined && port === httpPort) throw new ConfigError(`ADMIN_HTTP_PORT must differ from HTTP_PORT (${httpPort})`);
  return port;
}

function accessLogOf(env: NodeJS.ProcessEnv): LogSampling {
  const raw = env.ACCESS_LOG_SAMPLE_RATE;
  const rate = raw === undefined || raw === '' ? DEFAULT_LOG_SAMPLING.sampleRate : Number(raw);
  if (!/^\d*\.?\d+$/.test(raw ?? '0') || !(rate >= 0 && rate <= 1)) throw new ConfigError(`ACCESS_LOG_SAMPLE_RATE must be a number from 0 to 1, got ${raw}`);
  return {
    slowMs: optionalInt(env, 'ACCESS_LOG_SLOW_MS') ?? DEFAULT_LOG_SAMPLING.slowMs,
    perSecondMax: optionalInt(env, 'ACCESS_LOG_PER_SECOND') ?? DEFAULT_LOG_SAMPLING.perSecondMax,
    sampleRate: rate,
  };
}

/** MYSQL_READ_TIMEOUT_MS: 0 (none) or 100..600000 ms; default 5000. */
function readTimeoutOf(env: NodeJS.ProcessEnv): number {
  const ms = optionalInt(env, 'MYSQL_READ_TIMEOUT_MS') ?? 5000;
  if (ms !== 0 && (ms < 100 || ms > 600_000)) throw new ConfigError(`MYSQL_READ_TIMEOUT_MS must be 0 (no limit) or 100..600000, got ${ms}`);
  return ms;
}

function sagaSettingsOf(env: NodeJS.ProcessEnv): SagaSettings {
  const settings: SagaSettings = {
    ...DEFAULT_SAGA_SETTINGS,
    chunkStudentsMax: optionalInt(env, 'SAGA_CHUNK_STUDENTS_MAX') ?? DEFAULT_SAGA_SETTINGS.chunkStudentsMax,
    storeTimeoutMs: optionalInt(env, 'RECORDS_TIMEOUT_MS') ?? DEFAULT_SAGA_SETTINGS.storeTimeoutMs,
  };
  if (settings.chunkStudentsMax < 1 || settings.chunkStudentsMax > 200) throw new ConfigError(`SAGA_CHUNK_STUDENTS_MAX must be 1..200, got ${settings.chunkStudentsMax}`);
  if (settings.storeTimeoutMs < 100) throw new ConfigError(`RECORDS_TIMEOUT_MS must be at least 100, got ${settings.storeTimeoutMs}`);
  return settings;
}

function publicRequestsMaxOf(env: NodeJS.ProcessEnv): number {
  const max = optionalInt(env, 'PUBLIC_REQUESTS_MAX') ?? PUBLIC_REQUESTS_MAX_DEFAULT;
  if (max < 1 || max > 1_000_000) throw new ConfigError(`PUBLIC_REQUESTS_MAX must be 1..1000000, got ${max}`);
  return max;
}

function scoreRulesOf(env: NodeJS.ProcessEnv): ScoreRules {
  const min = optionalSignedInt(env, 'SCORE_MIN') ?? DEFAULT_SCORE_RULES.min;
  const max = optionalSignedInt(env, 'SCORE_MAX') ?? DEFAULT_SCORE_RULES.max;
  if (min > max) throw new ConfigError(`SCORE_MIN (${min}) must not exceed SCORE_MAX (${max})`);
  if (DEFAULT_INITIAL_SCORE < min || DEFAULT_INITIAL_SCORE > max) {
    throw new ConfigError(`the score range SCORE_MIN..SCORE_MAX (${min}..${max}) must include the default initial score ${DEFAULT_INITIAL_SCORE}`);
  }
  return Object.freeze({ min, max });
}

function optionalSignedInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || Math.abs(value) > 1_000_000_000) {
    throw new ConfigError(`${name} must be an integer between -1000000000 and 1000000000, got ${raw}`);
  }
  return value;
}

function keepAliveOf(env: NodeJS.ProcessEnv): number {
  const value = optionalInt(env, 'LIVE_STREAM_KEEPALIVE_MS') ?? 15_000;
  if (value < 100 || value > 60_000) throw new ConfigError(`LIVE_STREAM_KEEPALIVE_MS must be 100..60000, got ${value}`);
  return value;
}

/** AGGREGATE_SNAPSHOT_EVERY_EVENTS, AGGREGATE_SNAPSHOT_INTERVAL_MS and AGGREGATE_CACHE_MAX (0: no snapshots; 0: by events only; 0: no bound). */
export function aggregateStoreOptionsOf(env: NodeJS.ProcessEnv): AggregateStoreOptions {
  const cacheMax = optionalInt(env, 'AGGREGATE_CACHE_MAX') ?? DEFAULT_AGGREGATE_STORE_OPTIONS.coldCacheMax;
  return {
    snapshotEveryEvents: optionalInt(env, 'AGGREGATE_SNAPSHOT_EVERY_EVENTS') ?? DEFAULT_AGGREGATE_STORE_OPTIONS.snapshotEveryEvents,
    snapshotIntervalMs: optionalInt(env, 'AGGREGATE_SNAPSHOT_INTERVAL_MS') ?? DEFAULT_AGGREGATE_STORE_OPTIONS.snapshotIntervalMs,
    coldCacheMax: cacheMax === 0 ? Infinity : cacheMax,
  };
}

function optionalInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = optionalInt(env, name);
  if (value !== undefined && (value < 1 || value > 1_000_000)) throw new ConfigError(`${name} must be an integer in 1..1000000, got ${value}`);
  return value;
}

/** Express's named subnets. */
const TRUST_PROXY_NAMES: ReadonlySet<string> = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: unset, empty or `false` trusts no proxy; a number trusts that many hops; else a
 * comma list of addresses, subnets (`10.0.0.0/8`) or Express's names. `true` (trust anyone's
 * header) is refused: any client could then choose its own address.
 */
export function trustProxyOf(raw: string | undefined): false | number | readonly string[] {
  const text = (raw ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const entries = text.split(',').map((s) => s.trim());
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!(TRUST_PROXY_NAMES.has(entry) || (family !== 0 && prefixOk && extra === undefined))) {
      throw new ConfigError(`TRUST_PROXY must be false, a hop count, or addresses/subnets/loopback|linklocal|uniquelocal separated by commas; got ${JSON.stringify(entry)}`);
    }
  }
  return entries;
}
