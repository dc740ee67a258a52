import { join } from 'node:path';
import { int, oneOf, parseEnv, pickEnv, port, text, type EnvSource, type EnvValues } from './env-schema';
import { NODE_ENV, NODE_ENV_SCHEMA } from './node-env';

/**
 * The settings of the programs around the node: the student-records service, the `npm run
 * cluster` supervisor, the operations CLI and the benchmark. Each reads the variables it shares
 * with the node with the node's own definitions (so one name means one thing everywhere) plus a
 * few of its own, documented with the node's in docs/configuration.md.
 */

/** Where `npm run records-service` keeps archives unless RECORDS_DIR says otherwise: under the git-ignored `data/`. */
export const DEFAULT_RECORDS_DIR = join('data', 'records');

/** The records service's answers: store normally, refuse every archive, or answer only after RECORDS_DELAY_MS. */
export const RECORDS_MODES = ['ok', 'fail', 'slow'] as const;

/** `npm run records-service`. */
export const RECORDS_SERVICE_ENV = {
  schema: {
    ...pickEnv(NODE_ENV, ['NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'RECORDS_SUBJECT']).schema,
    RECORDS_DIR: text({ default: DEFAULT_RECORDS_DIR, description: 'Where archives are written (`<dir>/<semester>/<archiveId>.json`), relative to the working directory.' }),
    RECORDS_MODE: oneOf(RECORDS_MODES, { default: 'ok', description: 'How the service answers: store normally, refuse every archive, or answer late (tests switch it at run time too).' }),
    RECORDS_DELAY_MS: int({ default: 10_000, description: "Slow mode's delay before answering." }),
  },
  rules: [],
};

/** What the records service reads. */
export type RecordsServiceEnv = EnvValues<typeof RECORDS_SERVICE_ENV.schema>;

/**
 * Reads the records service's settings.
 * @throws ConfigError naming each variable that is wrong
 */
export function recordsServiceEnvOf(env: EnvSource): RecordsServiceEnv {
  return parseEnv(RECORDS_SERVICE_ENV, env);
}

/** `npm run cluster`: the supervisor's own variables, and those it reads before passing the environment on to its nodes. */
export const SUPERVISOR_ENV = {
  schema: {
    ...pickEnv(NODE_ENV, ['CLUSTER_NODES']).schema,
    CLUSTER_BASE_PORT: port({ default: 3001, description: 'The HTTP port of the first node; the others take the following ones.' }),
    CLUSTER_DATABASE_PREFIX: text({
      pattern: { regex: /^[A-Za-z0-9_-]{1,32}$/, text: '[A-Za-z0-9_-]{1,32}' },
      default: 'behavior',
      description: 'Node `<id>` uses database `<prefix>_<id>`.',
    }),
    HTTP_PORT_RANGE: int({ default: 20, description: "Given to every node (the node's own default is 0): a node whose port is taken falls back to one of the next ports." }),
    ...pickEnv(NODE_ENV, ['JWT_SECRET', 'JWT_SECRETS']).schema,
  },
  rules: pickEnv(NODE_ENV, ['JWT_SECRET', 'JWT_SECRETS']).rules,
};

/** What the supervisor reads. */
export type SupervisorEnv = EnvValues<typeof SUPERVISOR_ENV.schema>;

/**
 * Reads the supervisor's settings.
 * @throws ConfigError naming each variable that is wrong
 */
export function supervisorEnvOf(env: EnvSource): SupervisorEnv {
  return parseEnv(SUPERVISOR_ENV, env);
}

/** The bootstrap admin that local clusters (`npm run cluster`, the benchmark, the e2e tests) give their nodes unless the environment names one. */
export const LOCAL_ADMIN_ENV = {
  schema: {
    ADMIN_USERNAME: text({ default: 'admin', description: 'The bootstrap admin the nodes get.' }),
    ADMIN_PASSWORD: text({ default: 'admin-password', description: "The bootstrap admin's password." }),
  },
  rules: [],
};

/**
 * The operations CLI (`npm run cli`): where it finds the cluster. NODE_ID here names the node a
 * single-node command works on unless `--node` says otherwise.
 */
export const CLI_ENV = {
  schema: {
    ...pickEnv(NODE_ENV, ['CLUSTER_NODES', 'CLUSTER_NAME', 'API_SUBJECT_PREFIX', 'NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'MYSQL_URL', 'SCHOOL_TIME_ZONE']).schema,
    NODE_ID: text({
      defaultText: 'the first of CLUSTER_NODES',
      description: 'The node a single-node command works on unless `--node` says otherwise (ignored when it is not a member).',
    }),
  },
  rules: [],
};

/** What the CLI reads. */
export type CliEnv = EnvValues<typeof CLI_ENV.schema>;

/**
 * The CLI's per-node overrides, for nodes on MySQL servers of their own: `<ID>` is the node id in
 * capitals, other characters than letters and digits as `_` (`n1` -> `N1`).
 */
export const CLI_NODE_OVERRIDES = {
  'MYSQL_URL_<ID>': { ...NODE_ENV_SCHEMA.MYSQL_URL, defaultText: 'MYSQL_URL', description: "Node `<ID>`'s MySQL server." },
  'MYSQL_DATABASE_<ID>': { ...NODE_ENV_SCHEMA.MYSQL_DATABASE, defaultText: 'behavior_<id>', description: "Node `<ID>`'s database." },
};

/**
 * Reads the CLI's settings.
 * @throws ConfigError naming each variable that is wrong
 */
export function cliEnvOf(env: EnvSource): CliEnv {
  return parseEnv(CLI_ENV, env);
}

/** The servers a benchmark's nodes and its own clients use. */
export const BENCH_SERVERS_ENV = pickEnv(NODE_ENV, ['MYSQL_URL', 'NATS_URL']);

/**
 * MYSQL_URL and NATS_URL as the node reads them.
 * @throws ConfigError naming each variable that is wrong
 */
export function benchServersOf(env: EnvSource): { mysqlUrl: string; natsUrl: string } {
  const values = parseEnv(BENCH_SERVERS_ENV, env);
  return { mysqlUrl: values.MYSQL_URL, natsUrl: values.NATS_URL };
}

/** The membership benchmark's (`npm run bench -- --only membership`) own settings. */
export const BENCH_MEMBERSHIP_ENV = {
  schema: {
    BENCH_MEMBERSHIP_EVENTS: int({
      min: 1000,
      max: 100_000_000,
      defaultText: '1000000 (100000 with --quick)',
      description: 'Events in the log of the 3-node cluster the membership benchmark adds learners to and replaces a node of.',
    }),
    BENCH_MEMBERSHIP_COMMANDS_PER_SLOT: int({
      min: 1,
      max: 256,
      default: 1,
      description: "Commands per slot of that log: 1 is a cluster taking one write at a time (a slot per command, the most slots to catch up); a busy leader batches up to 256.",
    }),
    BENCH_MEMBERSHIP_IN_FLIGHT: int({
      min: 1,
      max: 1024,
      default: 16,
      description: 'Writes (`log.append`) outstanding at once while the membership benchmark measures writes before and during a replacement.',
    }),
  },
  rules: [],
};

/**
 * The membership benchmark's settings.
 * @throws ConfigError naming each variable that is wrong
 */
export function benchMembershipEnvOf(env: EnvSource): EnvValues<typeof BENCH_MEMBERSHIP_ENV.schema> {
  return parseEnv(BENCH_MEMBERSHIP_ENV, env);
}

const composeSecret = (description: string) => text({ required: true, secret: true, description });

/**
 * What docker-compose.yml takes from `.env` (or the shell): no secret has a default there, so
 * compose refuses to start until each required one is set. The nodes get JWT_SECRET,
 * ADMIN_USERNAME, ADMIN_PASSWORD, LOG_LEVEL and SCHOOL_TIME_ZONE as they are; the others become the MySQL root
 * password and the NATS users' passwords (deploy/nats/accounts.conf).
 */
export const COMPOSE_ENV = {
  schema: {
    JWT_SECRET: { ...NODE_ENV_SCHEMA.JWT_SECRET, required: true },
    ADMIN_USERNAME: text({ default: 'admin', description: 'The first admin of the cluster.' }),
    ADMIN_PASSWORD: composeSecret("The first admin's password."),
    MYSQL_ROOT_PASSWORD: composeSecret("The root password of each node's MariaDB (the nodes' MYSQL_URL uses it)."),
    NATS_N1_PASSWORD: composeSecret('NATS password of node n1 (user `n1`).'),
    NATS_N2_PASSWORD: composeSecret('NATS password of node n2 (user `n2`).'),
    NATS_N3_PASSWORD: composeSecret('NATS password of node n3 (user `n3`).'),
    NATS_API_PASSWORD: composeSecret('NATS password of user `api`, for clients of the public NATS API.'),
    NATS_INTEGRATION_PASSWORD: composeSecret('NATS password of user `integration`, for trusted integrations (the raw event feed and the queries).'),
    NATS_BENCH_PASSWORD: composeSecret('NATS password of user `bench`, for the benchmark.'),
    NATS_RECORDS_PASSWORD: composeSecret('NATS password of user `records`, the student-records service.'),
    NATS_OPERATOR_PASSWORD: composeSecret('NATS password of user `operator`, for the operations CLI (`cluster:status`).'),
    LOG_LEVEL: NODE_ENV_SCHEMA.LOG_LEVEL,
    SCHOOL_TIME_ZONE: NODE_ENV_SCHEMA.SCHOOL_TIME_ZONE,
  },
  rules: [],
};
