import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { type NatsConnection, connect } from 'nats';
import { inboxPrefixFor } from '../infra/nats/connection';
import { LOCAL_ADMIN, type NodeProcess, clusterStatusOf, localAdminEnv, startNodeProcess, stopNodeProcesses, waitForLeader } from '../cluster/node-process';
import { parseMysqlUrl } from '../infra/mysql/mysql-url';
import { BENCH_LOG_APPEND_ENV, LOG_APPEND_COMMAND } from '../messaging/log-append.handler';

/** A throwaway 3-node cluster on the local MySQL and NATS, for the benchmark. */
export interface BenchCluster {
  /** The cluster's name (also its public subject prefix). */
  name: string;
  nodes: NodeProcess[];
  nats: NatsConnection;
  /** Appends one record of `payloadBytes` and resolves when it is chosen and applied. */
  append(payload: Uint8Array): Promise<void>;
  status(): Promise<Record<string, unknown>[]>;
  /** POSTs JSON to a node (round robin) as the local admin; throws unless 2xx. */
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
  /** GETs JSON from a node as the local admin; throws unless 2xx. */
  get(path: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const LEADER_WAIT_MS = 30_000;

/** Starts n1..n3 with fresh databases `behavior_bench_<n>` and a cluster name of their own. */
export async function startBenchCluster(
  mysqlUrl: string,
  natsUrl: string,
  extraEnv: (cluster: string) => Record<string, string> = () => ({}),
): Promise<BenchCluster> {
  const ids = ['n1', 'n2', 'n3'];
  const cluster = `bench${randomBytes(3).toString('hex')}`;
  await dropDatabases(mysqlUrl, ids.map((id) => `behavior_bench_${id}`));
  const nodes = ids.map((id, i) =>
    startNodeProcess({
      id,
      env: {
        CLUSTER_NODES: ids.join(','),
        CLUSTER_NAME: cluster,
        API_SUBJECT_PREFIX: cluster,
        MYSQL_URL: mysqlUrl,
        MYSQL_DATABASE: `behavior_bench_${id}`,
        NATS_URL: natsUrl,
        HTTP_PORT: String(3101 + i),
        HTTP_PORT_RANGE: '50',
        LOG_LEVEL: 'info',
        HTTP_RATE_LIMIT_PER_SECOND: '100000',
        // The benchmark's write: off on every node not started for a benchmark.
        [BENCH_LOG_APPEND_ENV]: '1',
        // Status is polled by logging in before the bootstrap admin exists: no lockout for that.
        LOGIN_FAILURES_PER_ACCOUNT: '1000000',
        LOGIN_FAILURES_PER_ADDRESS: '1000000',
        ...localAdminEnv(),
        ...extraEnv(cluster),
      },
      onLine: (node, line, entry) => {
        if (!entry || (entry.level as number) >= 50) process.stderr.write(`[${node.id}] ${line}\n`);
      },
    }),
  );
  const leader = await waitForLeader(nodes, LEADER_WAIT_MS);
  if (!leader) {
    await stopNodeProcesses(nodes);
    throw new Error(`no leader within ${LEADER_WAIT_MS / 1000} s: ${nodes.map((n) => `${n.id}: ${n.lastError}`).join('; ')}`);
  }
  const nats = await connect({ servers: natsUrl.split(','), inboxPrefix: inboxPrefixFor('bench') });
  // The bootstrap admin appears once the leader is ready; status and the REST runs need it.
  let token: string | undefined = await loginAdmin(nodes[0].port ?? 0);
  let next = 0;
  const request = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const node = nodes[next++ % nodes.length];
    token ??= await loginAdmin(nodes[0].port ?? 0);
    const response = await fetch(`http://127.0.0.1:${node.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  return {
    name: cluster,
    nodes,
    nats,
    append: async (payload) => {
      const reply = await nats.request(`${cluster}.${LOG_APPEND_COMMAND}`, payload, { timeout: 30_000 });
      const body = reply.json<{ ok: boolean; error?: { message: string } }>();
      if (!body.ok) throw new Error(body.error?.message ?? 'append failed');
    },
    post: (path, body) => request('POST', path, body),
    get: (path) => request('GET', path),
    status: async () => {
      const statuses = await Promise.all(nodes.map((n) => (n.port === null ? null : clusterStatusOf(n.port))));
      return statuses.filter((s): s is Record<string, unknown> => s !== null);
    },
    stop: async () => {
      await nats.close();
      await stopNodeProcesses(nodes);
      await dropDatabases(mysqlUrl, ids.map((id) => `behavior_bench_${id}`));
    },
  };
}

/** Drops the named databases if they exist (the benchmark's throwaway ones). */
export async function dropDatabases(mysqlUrl: string, names: readonly string[]): Promise<void> {
  const connection = await createConnection({ ...parseMysqlUrl(mysqlUrl), database: undefined });
  try {
    for (const name of names) await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

async function loginAdmin(port: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(LOCAL_ADMIN),
    });
    if (response.ok) return ((await response.json()) as { accessToken: string }).accessToken;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the bootstrap admin could not log in');
}
