import { databaseNameForNode } from '../infra/mysql/database-name';
import { CliUsageError } from './cli-errors';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

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
 * Reads the CLI's settings: `CLUSTER_NODES` (default n1,n2,n3), `NODE_ID` (the default `--node`,
 * else the first member), `CLUSTER_NAME`, `API_SUBJECT_PREFIX`, `NATS_URL`, `NATS_USER`,
 * `NATS_PASSWORD`, `MYSQL_URL`; per node `MYSQL_URL_<ID>` and `MYSQL_DATABASE_<ID>` override the
 * URL and the database (default `behavior_<id>`), for nodes on their own MySQL servers.
 *
 * @throws CliUsageError naming the variable that is wrong.
 */
export function cliConfigFromEnv(env: NodeJS.ProcessEnv): CliConfig {
  const members = (env.CLUSTER_NODES ?? 'n1,n2,n3').split(',').map((s) => s.trim()).filter(Boolean);
  if (members.length === 0) throw new CliUsageError('CLUSTER_NODES names no node');
  for (const id of members) if (!ID_PATTERN.test(id)) throw new CliUsageError(`CLUSTER_NODES: node id ${JSON.stringify(id)} must match [A-Za-z0-9_-]{1,64}`);
  const clusterName = env.CLUSTER_NAME ?? 'behavior';
  if (!ID_PATTERN.test(clusterName)) throw new CliUsageError(`CLUSTER_NAME must match [A-Za-z0-9_-]{1,64}, got ${clusterName}`);
  const apiPrefix = env.API_SUBJECT_PREFIX || 'behavior';
  if (!ID_PATTERN.test(apiPrefix)) throw new CliUsageError(`API_SUBJECT_PREFIX must match [A-Za-z0-9_-]{1,64}, got ${apiPrefix}`);
  const mysqlUrl = env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  const mysqlFor = (id: string): MysqlTarget => {
    if (!ID_PATTERN.test(id)) throw new CliUsageError(`node id ${JSON.stringify(id)} must match [A-Za-z0-9_-]{1,64}`);
    const suffix = envSuffix(id);
    return { url: env[`MYSQL_URL_${suffix}`] || mysqlUrl, database: env[`MYSQL_DATABASE_${suffix}`] || databaseNameForNode(id) };
  };
  const mysql = new Map(members.map((id) => [id, mysqlFor(id)]));
  const defaultNode = env.NODE_ID && members.includes(env.NODE_ID) ? env.NODE_ID : members[0];
  return {
    members,
    defaultNode,
    clusterName,
    apiPrefix,
    natsUrl: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    natsUser: env.NATS_USER || undefined,
    natsPassword: env.NATS_PASSWORD || undefined,
    mysql,
    mysqlFor,
  };
}

/** The node `--node` names, checked against the members. */
export function nodeOption(config: CliConfig, node: string | undefined): string {
  const id = node ?? config.defaultNode;
  if (!config.members.includes(id)) throw new CliUsageError(`--node ${id} is not a member (CLUSTER_NODES=${config.members.join(',')})`);
  return id;
}
