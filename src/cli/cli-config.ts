import { ConfigError } from '../consensus/config';
import type { EnvSource } from '../config/env-schema';
import { CLI_NODE_OVERRIDES, cliEnvOf } from '../config/tool-env';
import { databaseNameForNode } from '../infra/mysql/database-name';
import { CliUsageError } from './cli-errors';

/** Where the CLI finds the cluster: the same variables as a node, plus per-node overrides. */
export interface CliConfig {
  readonly members: readonly string[];
  /** The node a single-node command works on unless `--node` says otherwise. */
  readonly defaultNode: string;
  readonly clusterName: string;
  readonly apiPrefix: string;
  readonly natsUrl: string;
  readonly natsUser?: string;
  readonly natsPassword?: string;
  /** The school's time zone (SCHOOL_TIME_ZONE, as the nodes have it): the days `projections:rebuild` counts in. */
  readonly schoolTimeZone: string;
  /** MySQL URL and database of each member. */
  readonly mysql: ReadonlyMap<string, MysqlTarget>;
  /**
   * MySQL URL and database of any node id, a member or not yet one (a node being restored):
   * the same variables as the members'.
   *
   * @throws CliUsageError when `nodeId` is not a valid node id.
   */
  readonly mysqlFor: (nodeId: string) => MysqlTarget;
}

/** Where one node's database lives. */
export interface MysqlTarget {
  readonly url: string;
  readonly database: string;
}

/** The suffix of a node's override variables: `n1` -> `N1` (`MYSQL_URL_N1`, `MYSQL_DATABASE_N1`). */
export function envSuffix(nodeId: string): string {
  return nodeId.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * Reads the CLI's settings with the node's definitions of the variables it shares (docs/configuration.md):
 * `CLUSTER_NODES` (default n1,n2,n3), `NODE_ID` (the default `--node`, else the first member),
 * `CLUSTER_NAME`, `API_SUBJECT_PREFIX`, `NATS_URL`, `NATS_USER`, `NATS_PASSWORD`, `MYSQL_URL`,
 * `SCHOOL_TIME_ZONE`; per
 * node `MYSQL_URL_<ID>` and `MYSQL_DATABASE_<ID>` override the URL and the database (default
 * `behavior_<id>`), for nodes on their own MySQL servers.
 *
 * @throws CliUsageError naming the variable that is wrong.
 */
export function cliConfigFromEnv(env: EnvSource): CliConfig {
  try {
    return cliConfigOf(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliUsageError(error.message);
    throw error;
  }
}

function cliConfigOf(env: EnvSource): CliConfig {
  const values = cliEnvOf(env);
  const members = values.CLUSTER_NODES;
  const override = (template: keyof typeof CLI_NODE_OVERRIDES, id: string): string | undefined => {
    const name = template.replace('<ID>', envSuffix(id));
    const raw = env[name];
    return raw ? (CLI_NODE_OVERRIDES[template].parse(name, raw, {}) as string) : undefined;
  };
  const mysqlFor = (id: string): MysqlTarget => {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new CliUsageError(`node id ${JSON.stringify(id)} must match [A-Za-z0-9_-]{1,32}`);
    return { url: override('MYSQL_URL_<ID>', id) ?? values.MYSQL_URL, database: override('MYSQL_DATABASE_<ID>', id) ?? databaseNameForNode(id) };
  };
  const mysql = new Map(members.map((id) => [id, mysqlFor(id)]));
  const defaultNode = values.NODE_ID !== undefined && members.includes(values.NODE_ID) ? values.NODE_ID : members[0];
  return {
    members,
    defaultNode,
    clusterName: values.CLUSTER_NAME,
    apiPrefix: values.API_SUBJECT_PREFIX,
    natsUrl: values.NATS_URL,
    natsUser: values.NATS_USER,
    natsPassword: values.NATS_PASSWORD,
    schoolTimeZone: values.SCHOOL_TIME_ZONE,
    mysql,
    mysqlFor,
  };
}

/**
 * The node `--node` names: a founding member, or any well-formed id (a node added online is a
 * member the founding `CLUSTER_NODES` does not list; its database is checked when it is opened).
 */
export function nodeOption(config: CliConfig, node: string | undefined): string {
  const id = node ?? config.defaultNode;
  config.mysqlFor(id);
  return id;
}
