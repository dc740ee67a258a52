import { ConfigError, type ConsensusConfig, consensusConfig } from '../consensus';
import { DEFAULT_SAGA_SETTINGS, type SagaSettings } from '../sagas';
import { RECORDS_STORE_SUBJECT } from '../application/sagas/records-client';
import { DEFAULT_INITIAL_SCORE, DEFAULT_SCORE_RULES, type ScoreRules } from '../domain';

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
  readonly natsUrl: string;
  readonly natsUser?: string;
  readonly natsPassword?: string;
  readonly mysqlUrl: string;
  readonly mysqlDatabase: string;
  readonly mysqlPoolSize: number;
  /** Runs with innodb_flush_log_at_trx_commit other than 1: throwaway runs only. */
  readonly unsafeDurability: boolean;
  readonly tickMs: number;
  readonly maxMessageBytes: number;
  readonly proposal: { noQuorumMs: number; timeoutMs: number; resendMs: number };
  readonly logLevel: string;
  /** The bootstrap admin, created once through the log when the cluster has no user. */
  readonly admin?: { readonly username: string; readonly password: string };
  /** Secret that signs access tokens; a fixed development value unless NODE_ENV=production, where it is required. */
  readonly jwtSecret: string;
  readonly tokenExpiresInSeconds: number;
  /** HTTP requests one client IP may make per second (30 times that per minute); 429 above. */
  readonly httpRateLimitPerSecond: number;
  /** Saga limits (students per batch and per chunk, the records service's timeout). */
  readonly sagas: SagaSettings;
  /** A pause the leader takes after each saga step (0: none). */
  readonly sagaStepDelayMs: number;
  /** How often a live stream (GET /api/stream) sends a keep-alive comment and checks its session (`LIVE_STREAM_KEEPALIVE_MS`, 100..60000, default 15000). */
  readonly liveStreamKeepAliveMs: number;
  /** The subject the student-records service answers on. */
  readonly recordsSubject: string;
  /**
   * The allowed score range (`SCORE_MIN`..`SCORE_MAX`, default 0..200). Only the leader decides,
   * and the log stores decided events, so a node started with another range changes what it
   * decides while it leads, never what a replay of the log gives.
   */
  readonly scoreRules: ScoreRules;
}

/**
 * Reads and validates the node's settings.
 * @throws ConfigError naming the first variable that is wrong
 */
export function nodeConfigFromEnv(env: NodeJS.ProcessEnv): NodeConfig {
  const nodeId = env.NODE_ID ?? 'n1';
  const members = (env.CLUSTER_NODES ?? 'n1,n2,n3').split(',').map((s) => s.trim()).filter(Boolean);
  const clusterName = env.CLUSTER_NAME ?? 'behavior';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(clusterName)) throw new ConfigError(`CLUSTER_NAME must match [A-Za-z0-9_-]{1,64}, got ${clusterName}`);
  const consensus = consensusConfig({
    nodeId,
    members,
    phase1Quorum: optionalInt(env, 'PHASE1_QUORUM'),
    phase2Quorum: optionalInt(env, 'PHASE2_QUORUM'),
    heartbeatTicks: 5,
    electionTicksMin: 30,
    electionTicksMax: 60,
    retransmitTicks: 20,
    // A Phase1b carries every accept in the window, so window x batch bytes stays under one
    // NATS message (1 MiB by default): 32 slots x 24 KiB, within phase1bBytesMax (800,000).
    inflightSlotsMax: INFLIGHT_SLOTS,
    batchCommandsMax: 256,
    batchBytesMax: 24 * 1024,
    acceptWindowSlots: 2 * INFLIGHT_SLOTS,
    catchupBatchMax: 500,
  });
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
    natsUrl: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    natsUser: env.NATS_USER || undefined,
    natsPassword: env.NATS_PASSWORD || undefined,
    mysqlUrl: env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
    mysqlDatabase: env.MYSQL_DATABASE ?? `behavior_${nodeId}`,
    mysqlPoolSize: optionalInt(env, 'MYSQL_POOL_SIZE') ?? 8,
    unsafeDurability: env.UNSAFE_DURABILITY === '1' || env.UNSAFE_DURABILITY === 'true',
    tickMs: optionalInt(env, 'TICK_MS') ?? 10,
    maxMessageBytes: 1_000_000,
    proposal: { noQuorumMs: 1200, timeoutMs: optionalInt(env, 'PROPOSAL_TIMEOUT_MS') ?? 10_000, resendMs: 250 },
    logLevel: env.LOG_LEVEL ?? 'info',
    admin: env.ADMIN_USERNAME && env.ADMIN_PASSWORD ? { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD } : undefined,
    jwtSecret: jwtSecretOf(env),
    tokenExpiresInSeconds: optionalInt(env, 'JWT_EXPIRES_IN_SECONDS') ?? 3600,
    httpRateLimitPerSecond: optionalInt(env, 'HTTP_RATE_LIMIT_PER_SECOND') ?? 100,
    sagas: sagaSettingsOf(env),
    sagaStepDelayMs: optionalInt(env, 'SAGA_STEP_DELAY_MS') ?? 0,
    liveStreamKeepAliveMs: keepAliveOf(env),
    recordsSubject: env.RECORDS_SUBJECT || RECORDS_STORE_SUBJECT,
    scoreRules: scoreRulesOf(env),
  };
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

function optionalInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

function jwtSecretOf(env: NodeJS.ProcessEnv): string {
  if (env.JWT_SECRET) {
    if (env.JWT_SECRET.length < 16) throw new ConfigError('JWT_SECRET must be at least 16 characters');
    return env.JWT_SECRET;
  }
  if (env.NODE_ENV === 'production') throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  return 'development-only-secret-do-not-use';
}
