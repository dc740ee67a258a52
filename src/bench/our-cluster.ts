import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** The founding members' processes (n1..n3). */
  nodes: NodeProcess[];
  /** Processes started later by `spawn`. */
  spawned: NodeProcess[];
  /** Where the nodes keep their storage guard files (a directory of this run, removed by `stop`). */
  guardDir: string;
  /** The database of node `id`: `behavior_bench_<id>`. */
  databaseOf(id: string): string;
  /**
   * Starts node `id` (one of `options.spares`) with the founding members' settings: it is not a
   * member until added (`cluster:add-node`).
   */
  spawn(id: string): NodeProcess;
  nats: NatsConnection;
  /** Appends one record of `payloadBytes` and resolves when it is chosen and applied. */
  append(payload: Uint8Array): Promise<void>;
  status(): Promise<Record<string, unknown>[]>;
  /**
   * POSTs JSON as the local admin to the leader named by the last answer's `X-Leader-Url` (as a
   * leader-aware load balancer would), round robin until one named it; throws unless 2xx.
   */
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
  /** GETs JSON from a node as the local admin; throws unless 2xx. */
  get(path: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const LEADER_WAIT_MS = 30_000;
/** How long the bootstrap admin has at least to appear once a leader leads. */
const LOGIN_WAIT_MS = 10_000;

/** What else a benchmark's cluster needs; every field has a default. */
export interface BenchClusterOptions {
  /**
   * Runs once the databases are dropped, before any node starts: fills the founding members'
   * databases (e.g. with a long log), given each node's database name.
   */
  readonly prepare?: (databaseOf: (id: string) => string) => Promise<void>;
  /** Node ids besides n1..n3 that `spawn` may start later; their databases are dropped too. */
  readonly spares?: readonly string[];
  /** How long the founding members have to elect a leader (default 30 s). */
  readonly leaderWaitMs?: number;
}

/** Starts n1..n3 with fresh databases `behavior_bench_<n>` and a cluster name of their own. */
export async function startBenchCluster(
  mysqlUrl: string,
  natsUrl: string,
  extraEnv: (cluster: string) => Record<string, string> = () => ({}),
  options: BenchClusterOptions = {},
): Promise<BenchCluster> {
  const ids = ['n1', 'n2', 'n3'];
  const all = [...ids, ...(options.spares ?? [])];
  const databaseOf = (id: string) => `behavior_bench_${id}`;
  const cluster = `bench${randomBytes(3).toString('hex')}`;
  // Guard files name the cluster, which is new every run: they are of no use after it.
  const guardDir = mkdtempSync(join(tmpdir(), 'behavior-bench-guard-'));
  await dropDatabases(mysqlUrl, all.map(databaseOf));
  if (options.prepare) {
    try {
      await options.prepare(databaseOf);
    } catch (error) {
      await dropDatabases(mysqlUrl, all.map(databaseOf)).catch(() => undefined);
      rmSync(guardDir, { recursive: true, force: true });
      throw error;
    }
  }
  const start = (id: string) =>
    startNodeProcess({
      id,
      env: {
        CLUSTER_NODES: ids.join(','),
        CLUSTER_NAME: cluster,
        API_SUBJECT_PREFIX: cluster,
        MYSQL_URL: mysqlUrl,
        MYSQL_DATABASE: databaseOf(id),
        NODE_GUARD_DIR: guardDir,
        NATS_URL: natsUrl,
        HTTP_PORT: String(3101 + all.indexOf(id)),
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
    });
  const nodes = ids.map(start);
  const spawned: NodeProcess[] = [];
  const stopAll = async () => {
    await stopNodeProcesses([...nodes, ...spawned]);
    await dropDatabases(mysqlUrl, all.map(databaseOf));
    rmSync(guardDir, { recursive: true, force: true });
  };
  const leaderWaitMs = options.leaderWaitMs ?? LEADER_WAIT_MS;
  const leader = await waitForLeader(nodes, leaderWaitMs);
  if (!leader) {
    const why = nodes.map((n) => `${n.id}: ${n.lastError}`).join('; ');
    await stopAll();
    throw new Error(`no leader within ${leaderWaitMs / 1000} s: ${why}`);
  }
  const nats = await connect({ servers: natsUrl.split(','), inboxPrefix: inboxPrefixFor('bench') });
  // The bootstrap admin appears once the leader is ready; status and the REST runs need it.
  const login = () => loginAdmin(() => nodes[0].port, Math.max(LOGIN_WAIT_MS, leaderWaitMs));
  let token: string | undefined = await login().catch(async (error: unknown) => {
    await nats.close();
    await stopAll();
    throw error;
  });
  let next = 0;
  let leaderUrl: string | null = null;
  const request = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const node = nodes[next++ % nodes.length];
    token ??= await login();
    const base = method === 'POST' && leaderUrl !== null ? leaderUrl : `http://127.0.0.1:${node.port}`;
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (method === 'POST') leaderUrl = response.headers.get('x-leader-url') ?? (response.ok ? leaderUrl : null);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  return {
    name: cluster,
    nodes,
    spawned,
    guardDir,
    databaseOf,
    spawn: (id) => {
      if (!all.includes(id) || ids.includes(id)) throw new Error(`${id} is not a spare node of this cluster (${all.slice(ids.length).join(', ') || 'none'})`);
      const node = start(id);
      spawned.push(node);
      return node;
    },
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
      await stopAll();
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

/** Logs the bootstrap admin in on the node `portOf` names once it has a port; retries until `timeoutMs` passes. */
async function loginAdmin(portOf: () => number | null, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let why = 'no answer';
  for (let attempt = 0; attempt < Math.ceil(timeoutMs / 200) && Date.now() < deadline; attempt++) {
    const port = portOf();
    try {
      if (port !== null) {
        const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(LOCAL_ADMIN),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok) return ((await response.json()) as { accessToken: string }).accessToken;
        why = `HTTP ${response.status}`;
      }
    } catch (error) {
      // The node is still starting (or busy): try again.
      why = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the bootstrap admin could not log in within ${timeoutMs / 1000} s: ${why}`);
}
