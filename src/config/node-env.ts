import { isIP } from 'node:net';
import { ConfigError } from '../consensus/config';
import { RECORDS_STORE_SUBJECT } from '../infra/nats/records-client';
import { DEFAULT_AGGREGATE_STORE_OPTIONS } from '../application/aggregate-store';
import { AUTH_ENV_RULES, AUTH_ENV_SCHEMA } from '../auth/auth-config';
import { DEFAULT_LOGIN_THROTTLE } from '../auth/login-throttle';
import { DEFAULT_INITIAL_SCORE, DEFAULT_SCORE_RULES } from '../domain';
import { DATABASE_NAME_PATTERN } from '../infra/mysql/database-name';
import { POOL_SIZE_MAX } from '../infra/mysql/database';
import { MysqlConfigError } from '../infra/mysql/mysql-config-error';
import { parseMysqlUrl } from '../infra/mysql/mysql-url';
import { DEFAULT_SAGA_SETTINGS } from '../sagas';
import { DEFAULT_LOG_SAMPLING } from '../shared/log-sampler';
import { DEFAULT_SCHOOL_TIME_ZONE, canonicalTimeZone } from '../shared/school-days';
import { type EnvRule, type EnvSource, type EnvSpec, type EnvValues, custom, flag, fraction, int, oneOf, parseEnv, port, signedInt, text } from './env-schema';

/**
 * The node's settings (`node dist/main.js`): every environment variable it reads, with its type,
 * default, rules and description, in one schema. `parseNodeEnv` reads an environment with it,
 * NodeConfigModule hands the result to Nest, and `npm run config:env-example` writes
 * docs/configuration.md and .env.example from it (a test fails when they differ).
 */

/** Heartbeat interval, ms: the largest tick, as the consensus timeouts are whole ticks of it at least. */
export const HEARTBEAT_MS = 50;
/** Public NATS requests one node serves at once unless PUBLIC_REQUESTS_MAX says otherwise. */
export const PUBLIC_REQUESTS_MAX_DEFAULT = 1024;

/** Node ids and subject tokens: what NATS subjects and database names can hold. */
const NODE_ID_PATTERN = { regex: /^[A-Za-z0-9_-]{1,32}$/, text: '[A-Za-z0-9_-]{1,32}' };
const NAME_PATTERN = { regex: /^[A-Za-z0-9_-]{1,64}$/, text: '[A-Za-z0-9_-]{1,64}' };
/** Largest magnitude of SCORE_MIN and SCORE_MAX. */
const SCORE_BOUND = 1_000_000_000;
/** Pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The members of the cluster: a comma list of distinct node ids. */
function membersOf(name: string, raw: string): readonly string[] {
  const members = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (members.length === 0) throw new ConfigError(`${name} must name at least one node`);
  for (const id of members) if (!NODE_ID_PATTERN.regex.test(id)) throw new ConfigError(`${name}: node id ${JSON.stringify(id)} must match ${NODE_ID_PATTERN.text}`);
  const twice = members.find((id, i) => members.indexOf(id) !== i);
  if (twice !== undefined) throw new ConfigError(`${name} names ${twice} twice`);
  return Object.freeze(members);
}

/** SCHOOL_TIME_ZONE: an IANA zone name Intl knows (in any case: `asia/shanghai` stands for `Asia/Shanghai`); an offset such as `+08:00` is refused. */
export function schoolTimeZoneOf(name: string, raw: string): string {
  const zone = raw.trim();
  if (canonicalTimeZone(zone) === undefined) {
    throw new ConfigError(`${name} must be an IANA time zone such as Asia/Shanghai or Europe/Berlin, got ${JSON.stringify(raw)}`);
  }
  return zone;
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

function advertisedUrlOf(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got ${raw}`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must be an http(s) URL without credentials, query or fragment, got ${raw}`);
  }
  return raw.replace(/\/+$/, '');
}

/** Refuses a MySQL URL parseMysqlUrl refuses, naming the variable; the message never shows the password. */
function mysqlUrlProblem(raw: string, name: string): string | undefined {
  try {
    parseMysqlUrl(raw);
    return undefined;
  } catch (error) {
    if (!(error instanceof MysqlConfigError)) throw error;
    // "MYSQL_URL <url, password hidden> is invalid: why", said of this variable (MYSQL_URL_N1 too).
    throw new ConfigError(error.message.replace(/^MYSQL_URL\b/, name));
  }
}

/** Who the node is and whom it runs with. */
export const CLUSTER_ENV = {
  NODE_ID: text({
    pattern: NODE_ID_PATTERN,
    emptyIsValue: true,
    default: 'n1',
    description: "This node's id: one of CLUSTER_NODES, or a new id that `cluster:add-node` adds later (it votes on nothing until then).",
  }),
  NODE_GUARD_DIR: text({
    default: 'data/guard',
    description:
      "Where the node keeps its storage guard file (`<CLUSTER_NAME>-<NODE_ID>.json`, outside MySQL): the database's incarnation and epoch, so a database restored from an older backup is recognised and the node stops voting under its old incarnation.",
  }),
  CLUSTER_NODES: custom({
    type: `comma list of distinct node ids (\`${NODE_ID_PATTERN.text}\`)`,
    defaultText: 'n1,n2,n3',
    defaultValue: 'n1,n2,n3',
    emptyIsValue: true,
    fallback: Object.freeze(['n1', 'n2', 'n3']) as readonly string[],
    description: 'Every member of the cluster, the same list on every node.',
    read: membersOf,
  }),
  CLUSTER_NAME: text({
    pattern: NAME_PATTERN,
    emptyIsValue: true,
    default: 'behavior',
    description: 'Names the cluster: protocol subjects are `paxos.<CLUSTER_NAME>.…`.',
  }),
  API_SUBJECT_PREFIX: text({
    pattern: NAME_PATTERN,
    default: 'behavior',
    description: 'First token of the public NATS subjects (`<prefix>.cmd.…`); clusters sharing one NATS server need different prefixes.',
  }),
  PHASE1_QUORUM: int({
    min: 1,
    defaultText: 'a majority of CLUSTER_NODES',
    description: 'Promises a candidate needs (Phase 1). Refused unless every Phase 1 quorum meets every Phase 2 quorum and it is a majority.',
  }),
  PHASE2_QUORUM: int({ min: 1, defaultText: 'a majority of CLUSTER_NODES', description: 'Accepts that choose a slot (Phase 2).' }),
  TICK_MS: int({
    min: 1,
    max: HEARTBEAT_MS,
    rangeNote: '(the heartbeat interval)',
    default: HEARTBEAT_MS,
    description:
      'One consensus tick in ms. The timeouts stay in ms whatever the tick: heartbeats every 50 ms, elections after 300..600 ms of silence, resends after 200 ms; a smaller tick only makes them finer.',
  }),
  PROPOSAL_TIMEOUT_MS: int({ default: 10_000, description: 'How long a write waits to be chosen before it answers 504 (outcome unknown).' }),
};

/** The HTTP side. */
export const HTTP_ENV = {
  HTTP_PORT: port({ default: 3000, description: 'The HTTP port.' }),
  HTTP_PORT_RANGE: int({
    default: 0,
    description: 'How many following ports the node may fall back to when HTTP_PORT is taken; it logs the port it took and reports it as `httpPort` in the status.',
  }),
  HTTP_HOST: text({
    emptyIsValue: true,
    default: '127.0.0.1',
    description: 'The address HTTP binds (`0.0.0.0` in the Docker image).',
  }),
  ADVERTISED_HTTP_URL: custom({
    type: 'http(s) URL without credentials, query or fragment',
    defaultText: 'http://HTTP_HOST:<port taken>',
    description:
      "This node's HTTP base URL as clients reach it, sent as `X-Leader-Url` when it leads; unset: `http://HTTP_HOST:<port>`, or no URL when HTTP_HOST is a wildcard address.",
    read: advertisedUrlOf,
  }),
  HTTP_RATE_LIMIT_PER_SECOND: int({
    min: 1,
    max: 1_000_000,
    default: 100,
    description: 'HTTP requests per signed-in user, or else per client address, per second (30 times that per minute); 429 above. Health and metrics are never limited.',
  }),
  TRUST_PROXY: custom({
    type: '`false`, a hop count, or a comma list of addresses, subnets, `loopback`, `linklocal`, `uniquelocal`',
    defaultText: 'false',
    defaultValue: 'false',
    fallback: false as const,
    description:
      'Whose `X-Forwarded-For` names the client: a hop count (`1`) or proxy addresses/subnets (`loopback`, `10.0.0.0/8`). Unset, the client address is the TCP peer and the header is ignored; `true` is refused.',
    read: (_name, raw) => trustProxyOf(raw),
  }),
  LIVE_STREAM_KEEPALIVE_MS: int({
    min: 100,
    max: 60_000,
    default: 15_000,
    description: 'How often a live stream (GET /api/stream) sends a keep-alive comment and checks its session.',
  }),
  ADMIN_HTTP_PORT: port({ description: 'Serve `/metrics` and `/api/docs` on this port (and only there) instead of HTTP_PORT.' }),
  ADMIN_HTTP_HOST: text({
    default: { text: 'HTTP_HOST', of: (earlier) => earlier.HTTP_HOST as string },
    description: 'The address the admin port binds.',
  }),
};

/** NATS. */
export const NATS_ENV = {
  NATS_URL: text({
    emptyIsValue: true,
    default: 'nats://127.0.0.1:4222',
    type: 'comma list of NATS server URLs',
    check: (raw) => (raw.split(',').every((s) => s.trim() !== '') ? undefined : `must be a comma list of NATS server URLs, got '${raw}'`),
    description: 'The NATS servers; the node reconnects forever.',
  }),
  NATS_USER: text({ description: 'NATS user name (see deploy/nats/accounts.conf).' }),
  NATS_PASSWORD: text({ secret: true, description: "The NATS user's password." }),
  PUBLIC_REQUESTS_MAX: int({
    min: 1,
    max: 1_000_000,
    default: PUBLIC_REQUESTS_MAX_DEFAULT,
    description: 'Public NATS requests a node serves at once; 503 with `Retry-After` past it.',
  }),
};

/** MySQL. */
export const MYSQL_ENV = {
  MYSQL_URL: text({
    emptyIsValue: true,
    default: 'mysql://root@127.0.0.1:3306',
    type: '`mysql://user[:password]@host[:port]`',
    check: mysqlUrlProblem,
    description: 'The MySQL or MariaDB server (user and password percent-encoded).',
  }),
  MYSQL_DATABASE: text({
    pattern: { regex: DATABASE_NAME_PATTERN, text: DATABASE_NAME_PATTERN.source.replace(/^\^|\$$/g, '') },
    emptyIsValue: true,
    default: { text: 'behavior_<NODE_ID>', of: (earlier) => `behavior_${String(earlier.NODE_ID)}` },
    description: "This node's database, created and migrated at start.",
  }),
  MYSQL_POOL_SIZE: int({
    min: 1,
    max: POOL_SIZE_MAX,
    default: 8,
    description: "Connections of the node's background pool (projectors, credentials, the command queue, sagas, health).",
  }),
  MYSQL_CONSENSUS_POOL_SIZE: int({
    min: 1,
    max: POOL_SIZE_MAX,
    default: 4,
    description: "Connections of the consensus path's own pool (acceptor persists, log writes): no read ever waits in it, and no statement limit applies there.",
  }),
  MYSQL_READ_POOL_SIZE: int({ min: 1, max: POOL_SIZE_MAX, default: 4, description: 'Connections that serve API reads (REST, NATS queries).' }),
  MYSQL_READ_TIMEOUT_MS: int({
    min: 100,
    max: 600_000,
    zero: 'no limit',
    default: 5000,
    description:
      "The longest one read statement may run (MariaDB `max_statement_time` on the read pool's sessions; MySQL `max_execution_time`); a read cut off answers 503 with `Retry-After: 1`.",
  }),
  UNSAFE_DURABILITY: flag({ description: 'Runs on a MySQL that does not flush every commit (innodb_flush_log_at_trx_commit other than 1): throwaway runs only.' }),
};

/** Sign-in and tokens. */
export const AUTH_ENV = {
  ...AUTH_ENV_SCHEMA,
  LOGIN_FAILURES_PER_ACCOUNT: int({
    min: 1,
    max: 1_000_000,
    default: DEFAULT_LOGIN_THROTTLE.accountFailuresMax,
    description: 'Failed logins that lock an account (from any address): 429 with `Retry-After`, 1 s doubling per further failure up to 15 min.',
  }),
  LOGIN_FAILURES_PER_ADDRESS: int({
    min: 1,
    max: 1_000_000,
    default: DEFAULT_LOGIN_THROTTLE.addressFailuresMax,
    description: 'Failed logins that lock a client address (over all accounts), as above.',
  }),
  ADMIN_USERNAME: text({ description: 'The bootstrap admin, created once through the log when a leader finds no user (`npm run cluster`: `admin`).' }),
  ADMIN_PASSWORD: text({ secret: true, description: "The bootstrap admin's password (`npm run cluster`: `admin-password`)." }),
};

/** Logs and monitoring. */
export const LOGGING_ENV = {
  LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info', emptyIsValue: true, description: 'The lowest level logged (pino).' }),
  LOG_FORMAT: oneOf(['pretty', 'json'], {
    default: 'pretty',
    description: 'Logs are JSON lines, pretty on a terminal unless `json`, which writes JSON lines there too.',
  }),
  ACCESS_LOG_SLOW_MS: int({ default: DEFAULT_LOG_SAMPLING.slowMs, description: 'A request at least this slow is always in the access log.' }),
  ACCESS_LOG_PER_SECOND: int({ default: DEFAULT_LOG_SAMPLING.perSecondMax, description: 'Access log lines written per second before sampling starts.' }),
  ACCESS_LOG_SAMPLE_RATE: fraction({ default: DEFAULT_LOG_SAMPLING.sampleRate, description: 'The share of further ordinary lines written past that rate.' }),
  GIT_COMMIT: text({ defaultText: "the checkout's HEAD, else `unknown`", description: 'The commit `behavior_build_info` reports.' }),
};

/** Sagas and the records service they call. */
export const SAGA_ENV = {
  SAGA_CHUNK_STUDENTS_MAX: int({
    min: 1,
    max: 200,
    default: DEFAULT_SAGA_SETTINGS.chunkStudentsMax,
    description: 'Students per saga chunk at most; the 20 kB budget of an entry usually cuts chunks smaller (43 with a short reason).',
  }),
  RECORDS_TIMEOUT_MS: int({ min: 100, default: DEFAULT_SAGA_SETTINGS.storeTimeoutMs, description: 'How long the records service has to store an archive.' }),
  RECORDS_SUBJECT: text({ default: RECORDS_STORE_SUBJECT, description: "The records service's NATS subject." }),
  SAGA_STEP_DELAY_MS: int({ default: 0, description: "A pause the leader takes after each saga step: paces a saga's load; the tests use it to act mid-saga." }),
};

/** Aggregates and scores. */
export const STATE_ENV = {
  AGGREGATE_SNAPSHOT_EVERY_EVENTS: int({
    default: DEFAULT_AGGREGATE_STORE_OPTIONS.snapshotEveryEvents,
    description:
      "After this many events the aggregates changed since the last checkpoint are written to `aggregate_snapshots` with the checkpoint's log position; a start loads them and folds only the later events. `0`: a start folds the whole log.",
  }),
  AGGREGATE_SNAPSHOT_INTERVAL_MS: int({
    default: DEFAULT_AGGREGATE_STORE_OPTIONS.snapshotIntervalMs ?? 300_000,
    description: 'Also take that checkpoint when this long has passed since the last one and an aggregate changed (checked as slots are planned). `0`: by event count only.',
  }),
  AGGREGATE_CACHE_MAX: int({
    default: DEFAULT_AGGREGATE_STORE_OPTIONS.coldCacheMax,
    description:
      'Cold aggregates (approved or rejected applications, archived students, finished sagas) kept in memory at most; the others are loaded on demand from their snapshot and later events. `0`: every aggregate stays in memory.',
  }),
  SNAPSHOT_CATCHUP_MIN_SLOTS: int({
    default: 1_000_000,
    description:
      'A node that starts this many slots or more behind a peer (on an empty database, or one whose chosen log is that far back) first copies a snapshot of that peer over NATS (event log, read models, checkpoints; never acceptor state: an install keeps its own), then catches up only what came after it from the log. `0`: always catch up from the log.',
  }),
  SCORE_MIN: signedInt({
    bound: SCORE_BOUND,
    default: DEFAULT_SCORE_RULES.min,
    description: `The lowest score allowed; the range must include the default initial score ${DEFAULT_INITIAL_SCORE}. Only the leader decides, so give every node the same range; a replay of the log never changes with it.`,
  }),
  SCORE_MAX: signedInt({ bound: SCORE_BOUND, default: DEFAULT_SCORE_RULES.max, description: 'The highest score allowed.' }),
};

/** The school's calendar. */
export const SCHOOL_ENV = {
  SCHOOL_TIME_ZONE: custom({
    type: 'IANA time zone name (`Asia/Shanghai`, `Europe/Berlin`, `UTC`)',
    defaultText: DEFAULT_SCHOOL_TIME_ZONE,
    defaultValue: DEFAULT_SCHOOL_TIME_ZONE,
    fallback: DEFAULT_SCHOOL_TIME_ZONE,
    description:
      "The school's time zone: a school day runs from local midnight to local midnight there (DST included), for the charts' end-of-day scores (`student_daily_scores`), a class's daily series and the start page's changes today. " +
      'Set the same zone on every node, like JWT_SECRET: nodes with different zones answer with different days. ' +
      'A node whose zone changed must rebuild `student_daily_scores` (`npm run cli -- projections:rebuild --projection student_daily_scores`, with the new zone in the CLI\'s environment); it warns at every start until then.',
    read: schoolTimeZoneOf,
  }),
};

/** Upgrades, benchmarks and supervisors. */
export const OPERATION_ENV = {
  WRITE_PREVIOUS_EVENT_SCHEMAS: flag({
    description: 'Writes every event in the schema version the previous release reads: only during a rolling upgrade, on every upgraded node until no node of the previous release is left.',
  }),
  BENCH_LOG_APPEND: flag({ description: "Serves the benchmark's `<prefix>.cmd.log.append` (opaque records, no token): benchmarks and tests only." }),
  EXIT_WITH_PARENT: flag({
    description: 'Stops the node when its standard input ends (its parent is gone): `npm run cluster` and the benchmark set it for the nodes they start.',
  }),
};

/** Every variable the node reads, in the order it reads them (a default may follow one read before it). */
export const NODE_ENV_SCHEMA = {
  ...CLUSTER_ENV,
  ...HTTP_ENV,
  ...NATS_ENV,
  ...MYSQL_ENV,
  ...AUTH_ENV,
  ...LOGGING_ENV,
  ...SAGA_ENV,
  ...STATE_ENV,
  ...SCHOOL_ENV,
  ...OPERATION_ENV,
};

export type NodeEnvSchema = typeof NODE_ENV_SCHEMA;
/** The node's settings by variable name, typed and defaulted. */
export type NodeEnv = EnvValues<NodeEnvSchema>;

/** The members PHASE1_QUORUM and PHASE2_QUORUM count, and their defaults. */
function quorumsOf(v: NodeEnv): { n: number; phase1: number; phase2: number } {
  const n = v.CLUSTER_NODES.length;
  const majority = Math.floor(n / 2) + 1;
  return { n, phase1: v.PHASE1_QUORUM ?? majority, phase2: v.PHASE2_QUORUM ?? majority };
}

/** The rules over several of the node's variables. */
export const NODE_ENV_RULES: readonly EnvRule<NodeEnvSchema>[] = [
  {
    variables: ['CLUSTER_NODES', 'PHASE1_QUORUM', 'PHASE2_QUORUM'],
    description: 'PHASE1_QUORUM and PHASE2_QUORUM are at most the members; together they exceed them (every two quorums meet), and PHASE1_QUORUM is a majority.',
    check: (v) => {
      const { n, phase1, phase2 } = quorumsOf(v);
      if (phase1 > n) return `PHASE1_QUORUM must be 1..${n} (the members of CLUSTER_NODES), got ${phase1}`;
      if (phase2 > n) return `PHASE2_QUORUM must be 1..${n} (the members of CLUSTER_NODES), got ${phase2}`;
      if (phase1 + phase2 <= n) return `PHASE1_QUORUM (${phase1}) + PHASE2_QUORUM (${phase2}) must exceed the ${n} members of CLUSTER_NODES, so that every two quorums intersect`;
      if (2 * phase1 <= n) return `PHASE1_QUORUM (${phase1}) must be a majority of the ${n} members of CLUSTER_NODES, so two leaders cannot both win`;
      return undefined;
    },
  },
  {
    variables: ['HTTP_PORT', 'HTTP_PORT_RANGE'],
    description: 'HTTP_PORT + HTTP_PORT_RANGE is at most 65535.',
    check: (v) =>
      v.HTTP_PORT + v.HTTP_PORT_RANGE > 65535 ? `HTTP_PORT_RANGE (${v.HTTP_PORT_RANGE}) must not take HTTP_PORT (${v.HTTP_PORT}) past 65535` : undefined,
  },
  {
    variables: ['ADMIN_HTTP_PORT', 'HTTP_PORT'],
    description: 'ADMIN_HTTP_PORT differs from HTTP_PORT.',
    check: (v) => (v.ADMIN_HTTP_PORT === v.HTTP_PORT ? `ADMIN_HTTP_PORT must differ from HTTP_PORT (${v.HTTP_PORT})` : undefined),
  },
  ...AUTH_ENV_RULES,
  {
    variables: ['ADMIN_USERNAME', 'ADMIN_PASSWORD'],
    description: 'ADMIN_USERNAME and ADMIN_PASSWORD are set together or not at all.',
    check: (v) =>
      (v.ADMIN_USERNAME === undefined) !== (v.ADMIN_PASSWORD === undefined)
        ? `set both ADMIN_USERNAME and ADMIN_PASSWORD for a bootstrap admin, or neither (${v.ADMIN_USERNAME === undefined ? 'ADMIN_PASSWORD' : 'ADMIN_USERNAME'} alone is set)`
        : undefined,
  },
  {
    variables: ['SCORE_MIN', 'SCORE_MAX'],
    description: `SCORE_MIN is at most SCORE_MAX, and the range includes the default initial score ${DEFAULT_INITIAL_SCORE}.`,
    check: (v) => {
      if (v.SCORE_MIN > v.SCORE_MAX) return `SCORE_MIN (${v.SCORE_MIN}) must not exceed SCORE_MAX (${v.SCORE_MAX})`;
      if (DEFAULT_INITIAL_SCORE < v.SCORE_MIN || DEFAULT_INITIAL_SCORE > v.SCORE_MAX) {
        return `the score range SCORE_MIN..SCORE_MAX (${v.SCORE_MIN}..${v.SCORE_MAX}) must include the default initial score ${DEFAULT_INITIAL_SCORE}`;
      }
      return undefined;
    },
  },
];

/** The node's schema and its rules. */
export const NODE_ENV: EnvSpec<NodeEnvSchema> = { schema: NODE_ENV_SCHEMA, rules: NODE_ENV_RULES };

/** The node's variables in groups, as docs/configuration.md and .env.example show them. */
export const NODE_ENV_GROUPS: readonly { readonly title: string; readonly names: readonly (keyof NodeEnvSchema)[] }[] = [
  { title: 'Cluster and consensus', names: Object.keys(CLUSTER_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'HTTP', names: Object.keys(HTTP_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'NATS', names: Object.keys(NATS_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'MySQL', names: Object.keys(MYSQL_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'Sign-in and tokens', names: Object.keys(AUTH_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'Logs and monitoring', names: Object.keys(LOGGING_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'Sagas', names: Object.keys(SAGA_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'Aggregates and scores', names: Object.keys(STATE_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'School days', names: Object.keys(SCHOOL_ENV) as (keyof NodeEnvSchema)[] },
  { title: 'Upgrades, benchmarks and supervisors', names: Object.keys(OPERATION_ENV) as (keyof NodeEnvSchema)[] },
];

/**
 * Reads the node's settings from `env` (process.env, or a test's own object) with the schema:
 * defaults filled, unknown variables ignored. The `validate` of NodeConfigModule's ConfigModule.
 *
 * @throws ConfigError naming every variable that is wrong
 */
export function parseNodeEnv(env: EnvSource): NodeEnv {
  return parseEnv(NODE_ENV, env);
}
