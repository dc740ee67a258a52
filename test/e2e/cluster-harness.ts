import { clusterStatusOf, localAdminEnv } from '../../src/cluster/node-process';
import { inboxPrefixFor } from '../../src/infra/nats/connection';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { pollUntil, sleep } from '../../src/bench/poll';
import { findFreePort } from '../../src/bench/ports';
import { parseMysqlUrl } from '../../src/infra/mysql/mysql-url';
import type { ClusterStatus } from '../../src/node/cluster-status';
import { OwnNatsServer } from '../support/nats-server';

/**
 * End-to-end harness: real node processes (`node dist/main.js`), the local MySQL, a NATS server,
 * all on loopback. Every wait is bounded in time and in attempts; `stop()` ends every process the
 * harness started (SIGTERM, then SIGKILL) and drops the throwaway databases.
 *
 * Each cluster gets its own nats-server on a spare port by default: the append subject
 * (`behavior.cmd.log.append`, queue group `behavior-nodes`) is the same for every cluster, so on a
 * shared NATS server a test's appends would be load-balanced onto the nodes of any other cluster
 * running there (a dev cluster, another test run), whatever CLUSTER_NAME says.
 */

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DIST_MAIN = join(REPO_ROOT, 'dist', 'main.js');
export const DEFAULT_MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const APPEND_SUBJECT = 'behavior.cmd.log.append';

const LOOPBACK = '127.0.0.1';
/** How long a node may take from spawn to answering `GET /api/cluster/status`. */
const SERVE_TIMEOUT_MS = 30_000;
/** How long SIGTERM gets before SIGKILL, and how long SIGKILL gets before we give up. */
const TERM_WAIT_MS = 8_000;
const KILL_WAIT_MS = 5_000;
const STATUS_TIMEOUT_MS = 1_000;

/** Fails with a clear message when the nodes have not been built. */
export function assertDistBuilt(): void {
  if (!existsSync(DIST_MAIN)) {
    throw new Error(
      `${DIST_MAIN} is missing: the e2e tests run the built node; run "npx tsc -p tsconfig.build.json" (npm test builds first)`,
    );
  }
}

/** A short random token for cluster and database names. */
export function randomToken(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** Polls `probe` until it returns true, within `timeoutMs` and a matching number of attempts. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  await pollUntil(what, async () => probe(), { timeoutMs, everyMs, attemptsMax: Math.ceil(timeoutMs / everyMs) + 2 });
}

// ---------------------------------------------------------------------------------------------
// Ballots as the status reports them ("round.node")

export interface BallotValue {
  readonly round: number;
  readonly nodeId: string;
}

export function parseBallot(text: string): BallotValue {
  const dot = text.indexOf('.');
  return { round: Number(text.slice(0, dot)), nodeId: text.slice(dot + 1) };
}

export function compareBallots(a: BallotValue, b: BallotValue): number {
  if (a.round !== b.round) return a.round - b.round;
  return a.nodeId === b.nodeId ? 0 : a.nodeId < b.nodeId ? -1 : 1;
}

export function formatBallot(b: BallotValue): string {
  return `${b.round}.${b.nodeId}`;
}

// ---------------------------------------------------------------------------------------------
// Node processes

interface NodeHandle {
  readonly id: string;
  readonly env: NodeJS.ProcessEnv;
  /** The `dist/main.js` the node runs (another build's for an upgrade test). */
  main: string;
  readonly database: string;
  readonly logFile: string;
  child: ChildProcess | null;
  exited: Promise<void>;
  port: number | null;
  starts: number;
  lastExit: string | null;
}

export interface ClusterOptions {
  /** Number of nodes, n1..nN; default 3. */
  readonly size?: number;
  /** Used in the cluster and database names, e.g. 'kill' -> cluster `e2ekill<random>`. */
  readonly label: string;
  /** A NATS server to use; default: the cluster starts (and stops) its own on a spare port. */
  readonly natsUrl?: string;
  readonly mysqlUrl?: string;
  /** Extra environment of every node, e.g. `{ PROPOSAL_TIMEOUT_MS: '3000' }`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment of one node (after `env`), e.g. its own NATS user. */
  readonly nodeEnv?: (id: string) => Readonly<Record<string, string>>;
  /** The `dist/main.js` every node starts from; default: this checkout's (DIST_MAIN). */
  readonly main?: string;
  /** The nodes started by `start` (default: all); the others are started by the test (`spawn`), e.g. to join later. */
  readonly spawnAtStart?: readonly string[];
}

/**
 * N node processes of one throwaway cluster. Each node's stdout and stderr go to its own log
 * file (kept across restarts), whose tail `logTails()` quotes when a test fails.
 */
export class E2eCluster {
  readonly clusterName: string;
  readonly ids: readonly string[];
  readonly logDir: string;
  readonly natsUrl: string;
  readonly mysqlUrl: string;
  readonly db: ClusterDatabases;
  /** The NATS server this cluster started, when it was not given one. */
  readonly natsServer: OwnNatsServer | null;
  private readonly nodes = new Map<string, NodeHandle>();
  private client: AppendClient | null = null;
  private stopped: Promise<void> | null = null;
  private failed = false;
  private readonly onProcessExit = (): void => {
    for (const node of this.nodes.values()) if (isRunning(node.child)) node.child!.kill('SIGKILL');
    this.natsServer?.killNow();
  };

  private constructor(options: ClusterOptions, token: string, logDir: string, natsServer: OwnNatsServer | null) {
    this.natsServer = natsServer;
    this.clusterName = `e2e${options.label}${token}`;
    this.ids = Array.from({ length: options.size ?? 3 }, (_, i) => `n${i + 1}`);
    this.logDir = logDir;
    this.natsUrl = options.natsUrl ?? natsServer!.url;
    this.mysqlUrl = options.mysqlUrl ?? DEFAULT_MYSQL_URL;
    const databases = new Map(this.ids.map((id) => [id, `behavior_e2e_${options.label}_${token}_${id}`]));
    // Nodes refuse to start without a secret: one random secret per cluster, shared by its nodes.
    const jwtSecret = randomBytes(48).toString('base64');
    this.db = new ClusterDatabases(this.mysqlUrl, databases);
    for (const id of this.ids) {
      this.nodes.set(id, {
        id,
        database: databases.get(id)!,
        logFile: join(this.logDir, `${id}.log`),
        main: options.main ?? DIST_MAIN,
        env: {
          ...process.env,
          NODE_ID: id,
          ...localAdminEnv(),
          JWT_SECRET: jwtSecret,
          JWT_SECRETS: '',
          // The harness polls status by logging in while the bootstrap admin may not exist yet:
          // those failures must not lock the admin out (login limits have their own tests).
          LOGIN_FAILURES_PER_ACCOUNT: '1000000',
          LOGIN_FAILURES_PER_ADDRESS: '1000000',
          // Tests drive one user as fast as a loop goes (the rate limits have their own tests).
          HTTP_RATE_LIMIT_PER_SECOND: '100000',
          CLUSTER_NODES: this.ids.join(','),
          CLUSTER_NAME: this.clusterName,
          HTTP_HOST: LOOPBACK,
          HTTP_PORT_RANGE: '20',
          NATS_URL: this.natsUrl,
          MYSQL_URL: this.mysqlUrl,
          MYSQL_DATABASE: databases.get(id)!,
          LOG_FORMAT: 'json',
          LOG_LEVEL: 'info',
          TICK_MS: '10',
          NODE_GUARD_DIR: join(logDir, 'guard'),
          // The tests' write is the benchmark's log.append.
          BENCH_LOG_APPEND: '1',
          ...options.env,
          ...options.nodeEnv?.(id),
        },
        child: null,
        exited: Promise.resolve(),
        port: null,
        starts: 0,
        lastExit: null,
      });
    }
    process.once('exit', this.onProcessExit);
  }

  /** Starts every node and waits until each answers its status page (not yet for a leader). */
  static async start(options: ClusterOptions): Promise<E2eCluster> {
    assertDistBuilt();
    const token = randomToken();
    const logDir = mkdtempSync(join(tmpdir(), `e2e${options.label}${token}-`));
    let natsServer: OwnNatsServer | null = null;
    try {
      if (options.natsUrl === undefined) natsServer = await OwnNatsServer.start(join(logDir, 'nats-server.log'));
    } catch (error) {
      rmSync(logDir, { recursive: true, force: true });
      throw error;
    }
    const cluster = new E2eCluster(options, token, logDir, natsServer);
    try {
      for (const node of cluster.nodes.values()) {
        (node.env as Record<string, string>).HTTP_PORT = String(await findFreePort());
      }
      const first = options.spawnAtStart ?? cluster.ids;
      await Promise.all(first.map((id) => cluster.spawn(id)));
      await Promise.all(first.map((id) => cluster.waitServing(id)));
      return cluster;
    } catch (error) {
      cluster.failed = true;
      const message = `${error instanceof Error ? error.message : String(error)}\n${cluster.logTails()}`;
      await cluster.stop();
      throw new Error(message, { cause: error });
    }
  }

  /** The NATS client the tests append with (connected on first use, closed by `stop()`). */
  async appendClient(): Promise<AppendClient> {
    this.client ??= await AppendClient.connect(this.natsUrl);
    return this.client;
  }

  isAlive(id: string): boolean {
    return isRunning(this.node(id).child);
  }

  aliveIds(): string[] {
    return this.ids.filter((id) => this.isAlive(id));
  }

  /** The node's HTTP port, once it logged it. */
  port(id: string): number | null {
    return this.node(id).port;
  }

  /** `GET /api/cluster/status` of one node; null when it does not answer within a second. */
  async status(id: string): Promise<ClusterStatus | null> {
    const port = this.node(id).port;
    if (port === null || !this.isAlive(id)) return null;
    return (await clusterStatusOf(port)) as ClusterStatus | null;
  }

  /** The statuses of the given (default: running) nodes that answered. */
  async statuses(ids: readonly string[] = this.aliveIds()): Promise<Map<string, ClusterStatus>> {
    const answers = await Promise.all(ids.map(async (id) => [id, await this.status(id)] as const));
    return new Map(answers.filter((a): a is readonly [string, ClusterStatus] => a[1] !== null));
  }

  /** HTTP status code of `GET /health/live` (null when unreachable). */
  async live(id: string): Promise<number | null> {
    const port = this.node(id).port;
    if (port === null) return null;
    try {
      const response = await fetch(`http://${LOOPBACK}:${port}/health/live`, {
        signal: AbortSignal.timeout(STATUS_TIMEOUT_MS),
      });
      return response.status;
    } catch {
      return null;
    }
  }

  /** The node's protocol messages dropped, by reason, from its `/metrics` (null when unreachable). */
  async droppedMessages(id: string): Promise<Map<string, number> | null> {
    const text = await this.metricsText(id);
    if (text === null) return null;
    const counts = new Map<string, number>();
    for (const match of text.matchAll(/^behavior_protocol_messages_dropped_total\{reason="([^"]+)"\} (\d+)/gm))
      counts.set(match[1], Number(match[2]));
    return counts;
  }

  /**
   * The node's `/metrics` text, from its admin port when it has one (ADMIN_HTTP_PORT), else from
   * its HTTP port; null when it does not answer.
   */
  async metricsText(id: string): Promise<string | null> {
    const node = this.node(id);
    const port = node.env.ADMIN_HTTP_PORT ? Number(node.env.ADMIN_HTTP_PORT) : node.port;
    if (port === null || !this.isAlive(id)) return null;
    try {
      const response = await fetch(`http://${LOOPBACK}:${port}/metrics`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
      return response.ok ? await response.text() : null;
    } catch {
      return null;
    }
  }

  /** Everything the node wrote to its log so far (stdout, stderr and the harness's own lines). */
  logText(id: string): string {
    try {
      return readFileSync(this.node(id).logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Waits until one node leads and every node of `among` (default: the running ones) names it
   * as leader; returns its id.
   */
  async waitForLeader(timeoutMs = 20_000, among?: readonly string[]): Promise<string> {
    let leader: string | null = null;
    await waitFor(
      `a leader agreed on by ${(among ?? this.aliveIds()).join(',')}`,
      async () => {
        const ids = among ?? this.aliveIds();
        const statuses = await this.statuses(ids);
        if (statuses.size < ids.length) return false;
        const leaders = [...statuses.values()].filter((s) => s.role === 'leader');
        if (leaders.length !== 1) return false;
        const id = leaders[0].nodeId;
        if (![...statuses.values()].every((s) => s.leaderId === id)) return false;
        leader = id;
        return true;
      },
      timeoutMs,
      100,
    );
    return leader!;
  }

  /**
   * Waits until every node of `ids` (default: all) has applied the same slot, equal to the
   * highest chosen slot any of them reports, twice in a row; returns that slot.
   */
  async waitForConvergence(timeoutMs = 30_000, ids: readonly string[] = this.ids): Promise<number> {
    let previous = -1;
    let slot = -1;
    let last = '';
    try {
      await waitFor(
        `nodes ${ids.join(',')} applying the same slot`,
        async () => {
          const statuses = await this.statuses(ids);
          last = [...statuses.values()]
            .map((s) => `${s.nodeId}: chosen ${s.chosenSlot} applied ${s.appliedSlot} position ${s.logPosition}`)
            .join('; ');
          if (statuses.size < ids.length) return false;
          const applied = new Set([...statuses.values()].map((s) => s.appliedSlot));
          const chosen = Math.max(...[...statuses.values()].map((s) => s.chosenSlot));
          const positions = new Set([...statuses.values()].map((s) => s.logPosition));
          if (applied.size !== 1 || positions.size !== 1 || [...applied][0] !== chosen) return false;
          const agreed = chosen;
          const stable = agreed === previous;
          previous = agreed;
          slot = agreed;
          return stable;
        },
        timeoutMs,
        100,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen: ${last}`, { cause: error });
    }
    return slot;
  }

  /** Sends `signal` to a node and waits (bounded) for it to exit. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.node(id);
    if (!isRunning(node.child)) return;
    node.child!.kill(signal);
    if (!(await exitedWithin(node, signal === 'SIGKILL' ? KILL_WAIT_MS : TERM_WAIT_MS))) {
      throw new Error(`node ${id} (pid ${node.child?.pid}) did not exit within the bound after ${signal}`);
    }
  }

  /** Freezes a running node (SIGSTOP): it neither sends nor answers until `resume`. */
  pause(id: string): void {
    const node = this.node(id);
    if (!isRunning(node.child)) throw new Error(`node ${id} is not running`);
    node.child!.kill('SIGSTOP');
  }

  /** Lets a node frozen by `pause` run again (SIGCONT). */
  resume(id: string): void {
    const node = this.node(id);
    if (isRunning(node.child)) node.child!.kill('SIGCONT');
  }

  /** Stops a node gracefully: SIGTERM, then SIGKILL when it is still there after a bounded wait. */
  async stopNode(id: string): Promise<void> {
    const node = this.node(id);
    if (!isRunning(node.child)) return;
    node.child!.kill('SIGTERM');
    if (await exitedWithin(node, TERM_WAIT_MS)) return;
    this.log(id, `harness: no exit ${TERM_WAIT_MS} ms after SIGTERM; sending SIGKILL`);
    node.child!.kill('SIGKILL');
    if (!(await exitedWithin(node, KILL_WAIT_MS))) throw new Error(`node ${id} survived SIGKILL`);
  }

  /** Starts a stopped node again with the same environment and waits until it serves HTTP. */
  async restart(id: string): Promise<void> {
    if (this.isAlive(id)) throw new Error(`node ${id} is still running`);
    await this.spawn(id);
    await this.waitServing(id);
  }

  /**
   * What a stopped node runs when it starts again: another build's `dist/main.js`, and
   * environment changes (undefined removes a variable). Same database, ports and identity.
   */
  reconfigure(id: string, change: { readonly main?: string; readonly env?: Readonly<Record<string, string | undefined>> }): void {
    const node = this.node(id);
    if (isRunning(node.child)) throw new Error(`node ${id} is still running`);
    if (change.main !== undefined) node.main = change.main;
    for (const [name, value] of Object.entries(change.env ?? {})) {
      if (value === undefined) delete node.env[name];
      else node.env[name] = value;
    }
  }

  /** Spawns a stopped node without waiting for it (see `waitServing`). */
  async spawn(id: string): Promise<void> {
    const node = this.node(id);
    if (isRunning(node.child)) throw new Error(`node ${id} is already running`);
    node.starts += 1;
    node.port = null;
    this.log(id, `harness: start #${node.starts} of ${node.main} at ${new Date().toISOString()}`);
    const child = spawn(process.execPath, [node.main], {
      env: node.env,
      cwd: resolve(dirname(node.main), '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.child = child;
    node.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        node.lastExit = `exit code ${code} signal ${signal}`;
        this.log(id, `harness: process exited (code ${code}, signal ${signal}) at ${new Date().toISOString()}`);
        done();
      });
      child.once('error', (err) => {
        node.lastExit = `spawn error ${err.message}`;
        done();
      });
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.log(id, line);
      const port = servingPort(line);
      if (port !== null && node.child === child) node.port = port;
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.log(id, `stderr: ${line}`));
  }

  /** Waits until a spawned node answers its status page; fails fast when it exits. */
  async waitServing(id: string, timeoutMs = SERVE_TIMEOUT_MS): Promise<void> {
    const node = this.node(id);
    await pollUntil(
      `node ${id} serving HTTP`,
      async () => {
        if (!isRunning(node.child)) throw new NodeExitedError(`node ${id} exited while starting (${node.lastExit})`);
        return (await this.status(id)) !== null;
      },
      {
        timeoutMs,
        everyMs: 100,
        attemptsMax: Math.ceil(timeoutMs / 100) + 2,
        isFatal: (e) => e instanceof NodeExitedError,
      },
    );
  }

  /** The last `lines` lines of every node's log, for a failure message. */
  logTails(lines = 40): string {
    return this.ids
      .map((id) => {
        const node = this.node(id);
        let text = '';
        try {
          text = readFileSync(node.logFile, 'utf8');
        } catch {
          text = '(no log)';
        }
        const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
        return `----- ${id} (${isRunning(node.child) ? `running pid ${node.child!.pid}` : `stopped: ${node.lastExit ?? 'never started'}`}) ${node.logFile}\n${tail}`;
      })
      .join('\n');
  }

  /**
   * Runs a test body; when it throws, the error gets the tail of every node's log appended and
   * the log folder is kept for inspection.
   */
  async diagnose<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      this.failed = true;
      const message = error instanceof Error ? error.message : String(error);
      const wrapped = new Error(`${message}\n\nnode logs (kept in ${this.logDir}):\n${this.logTails()}`, {
        cause: error,
      });
      if (error instanceof Error && error.stack)
        wrapped.stack = `${wrapped.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
      throw wrapped;
    }
  }

  /**
   * Stops every node (SIGTERM, SIGKILL after a bounded wait), closes the NATS client, drops the
   * databases and removes the logs (kept when a test failed or E2E_KEEP_LOGS=1). Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  private async stopOnce(): Promise<void> {
    const errors: unknown[] = [];
    const settle = async (what: Promise<unknown>) => {
      try {
        await what;
      } catch (error) {
        errors.push(error);
      }
    };
    await Promise.all(this.ids.map((id) => settle(this.stopNode(id))));
    process.removeListener('exit', this.onProcessExit);
    if (this.client) await settle(this.client.close());
    if (this.natsServer) await settle(this.natsServer.stop());
    await settle(this.db.dropAll());
    if (!this.failed && process.env.E2E_KEEP_LOGS !== '1') rmSync(this.logDir, { recursive: true, force: true });
    if (errors.length > 0) throw new AggregateError(errors, `cluster ${this.clusterName} did not stop cleanly`);
  }

  private node(id: string): NodeHandle {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id} in ${this.ids.join(',')}`);
    return node;
  }

  private log(id: string, line: string): void {
    try {
      appendFileSync(this.node(id).logFile, `${line}\n`);
    } catch {
      // the folder is gone after stop(); nothing to keep
    }
  }
}

class NodeExitedError extends Error {
  override readonly name = 'NodeExitedError';
}

function isRunning(child: ChildProcess | null): boolean {
  return child !== null && child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

async function exitedWithin(node: NodeHandle, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((done) => (timer = setTimeout(() => done(false), ms)));
  const result = await Promise.race([node.exited.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

/** The port of the node's "serving HTTP on port N" JSON log line, else null. */
function servingPort(line: string): number | null {
  if (!line.startsWith('{') || !line.includes('"port"')) return null;
  try {
    const entry = JSON.parse(line) as { port?: unknown };
    return typeof entry.port === 'number' ? entry.port : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Appends over NATS

export interface AppendAck {
  readonly commandId: string;
  readonly slot: number;
  readonly position: number | null;
  readonly duplicate: boolean;
}

/** A node's reply, or a transport failure with a `statusCode` string ('timeout', 'no-responders', ...). */
export type AppendReply =
  | { readonly ok: true; readonly data: AppendAck; readonly position?: number }
  | {
      readonly ok: false;
      readonly error: { readonly statusCode: number | string; readonly error?: string; readonly message: string };
    };

export interface RetryOptions {
  /** Timeout of one request. */
  readonly attemptTimeoutMs: number;
  /** Gives up after this long in all. */
  readonly deadlineMs: number;
  /** Gives up after this many attempts. */
  readonly attemptsMax: number;
  /** Pause after a failed attempt. */
  readonly pauseMs: number;
}

export interface RetriedAppend {
  /** The Idempotency-Key sent (the specs also put it in the append's data). */
  readonly key: string;
  readonly ack: AppendAck;
  readonly attempts: number;
  /** `performance.now()` of the first send and of the ok reply. */
  readonly firstSentAt: number;
  readonly ackedAt: number;
  readonly failures: readonly string[];
}

/** The NATS client of a test: appends (with an Idempotency-Key) and raw publishes. */
export class AppendClient {
  private constructor(readonly nc: NatsConnection) {}

  static async connect(url: string): Promise<AppendClient> {
    const nc = await connect({
      servers: url.split(','),
      name: `e2e-client-${randomToken()}`,
      inboxPrefix: inboxPrefixFor('e2e'),
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      pingInterval: 2000,
      maxPingOut: 2,
      timeout: 5000,
    });
    return new AppendClient(nc);
  }

  /** One request; never throws: transport failures come back as `ok: false`. */
  async append(body: unknown, key?: string, timeoutMs = 5000): Promise<AppendReply> {
    const h = natsHeaders();
    if (key !== undefined) h.set('Idempotency-Key', key);
    const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
    try {
      const msg = await this.nc.request(APPEND_SUBJECT, data, { timeout: timeoutMs, headers: h });
      return JSON.parse(Buffer.from(msg.data).toString('utf8')) as AppendReply;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const statusCode = code === 'TIMEOUT' ? 'timeout' : code === '503' ? 'no-responders' : (code ?? 'error');
      return { ok: false, error: { statusCode, message: error instanceof Error ? error.message : String(error) } };
    }
  }

  /**
   * Sends the same command (same Idempotency-Key) until a node answers ok, within the bounds.
   * @throws Error listing the failures when a bound is reached first
   */
  async appendUntilOk(key: string, body: unknown, options: RetryOptions): Promise<RetriedAppend> {
    const firstSentAt = performance.now();
    const failures: string[] = [];
    for (let attempt = 1; attempt <= options.attemptsMax; attempt++) {
      const reply = await this.append(body, key, options.attemptTimeoutMs);
      if (reply.ok) return { key, ack: reply.data, attempts: attempt, firstSentAt, ackedAt: performance.now(), failures };
      failures.push(`${reply.error.statusCode}: ${reply.error.message}`);
      if (performance.now() - firstSentAt + options.pauseMs > options.deadlineMs) break;
      await sleep(options.pauseMs);
    }
    throw new Error(
      `append ${key} not acknowledged after ${failures.length} attempts / ${Math.round(performance.now() - firstSentAt)} ms: ${summarizeFailures(failures)}`,
    );
  }

  /** Publishes raw bytes on any subject (garbage tests); `flush` makes sure the server has them. */
  publish(subject: string, data: Uint8Array | string): void {
    this.nc.publish(subject, typeof data === 'string' ? Buffer.from(data) : data);
  }

  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }
}

/** "3 x timeout: ..., 1 x 503: ..." */
export function summarizeFailures(failures: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f, (counts.get(f) ?? 0) + 1);
  return [...counts].map(([f, n]) => `${n} x ${f}`).join('; ');
}

// ---------------------------------------------------------------------------------------------
// The nodes' databases

export interface LogRow {
  readonly position: number;
  readonly slot: number;
  readonly command_id: string;
  readonly stream_version: number;
  readonly data: string;
}

/** Reads each node's MySQL database (as the tests' checks need) and drops them at the end. */
export class ClusterDatabases {
  private readonly pool: Pool;

  constructor(
    mysqlUrl: string,
    readonly names: ReadonlyMap<string, string>,
  ) {
    const options = parseMysqlUrl(mysqlUrl);
    this.pool = createPool({ ...options, database: undefined, connectionLimit: 4 });
  }

  /** The node's event log in position order. */
  async eventLog(id: string): Promise<LogRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT position, slot, command_id, stream_version, data FROM ${this.table(id, 'event_log')} ORDER BY position`,
    );
    return rows.map((r) => ({
      position: Number(r.position),
      slot: Number(r.slot),
      command_id: String(r.command_id),
      stream_version: Number(r.stream_version),
      data: String(r.data),
    }));
  }

  /** How many events of `type` the node's event log holds in each schema version. */
  async schemaVersions(id: string, type: string): Promise<Map<number, number>> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT schema_version, COUNT(*) AS n FROM ${this.table(id, 'event_log')} WHERE type = ? GROUP BY schema_version`,
      [type],
    );
    return new Map(rows.map((r) => [Number(r.schema_version), Number(r.n)]));
  }

  /** How many events each command id has in the node's event log. */
  async commandCounts(id: string): Promise<Map<string, number>> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT command_id, COUNT(*) AS n FROM ${this.table(id, 'event_log')} GROUP BY command_id`,
    );
    return new Map(rows.map((r) => [String(r.command_id), Number(r.n)]));
  }

  /** Command ids the node applied: those that wrote events (the event log's command key) and the rest (`applied_commands`). */
  async appliedCommandIds(id: string): Promise<Set<string>> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT command_id FROM ${this.table(id, 'event_log')} WHERE command_index = 0 UNION ALL SELECT command_id FROM ${this.table(id, 'applied_commands')}`,
    );
    return new Set(rows.map((r) => String(r.command_id)));
  }

  /** The node's durable promise, null when it never promised. */
  async promise(id: string): Promise<BallotValue | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT round, node_id FROM ${this.table(id, 'paxos_promise')} WHERE id = 1`,
    );
    return rows.length === 0 ? null : { round: Number(rows[0].round), nodeId: String(rows[0].node_id) };
  }

  /** Count and highest slot of the node's chosen log. */
  async chosen(id: string): Promise<{ count: number; maxSlot: number }> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n, COALESCE(MAX(slot), 0) AS max_slot FROM ${this.table(id, 'paxos_chosen')}`,
    );
    return { count: Number(rows[0].n), maxSlot: Number(rows[0].max_slot) };
  }

  /** Count and highest position of the node's event log. */
  async eventLogHead(id: string): Promise<{ count: number; maxPosition: number }> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n, COALESCE(MAX(position), 0) AS max_position FROM ${this.table(id, 'event_log')}`,
    );
    return { count: Number(rows[0].n), maxPosition: Number(rows[0].max_position) };
  }

  /** Drops one database that is not a node's (a throwaway of a test), if it exists. */
  async dropDatabase(name: string): Promise<void> {
    await this.pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
  }

  /** Drops every node's database and closes the pool. */
  async dropAll(): Promise<void> {
    try {
      for (const name of this.names.values()) await this.pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
    } finally {
      await this.pool.end();
    }
  }

  private table(id: string, table: string): string {
    const name = this.names.get(id);
    if (!name) throw new Error(`no database for node ${id}`);
    return `\`${name}\`.\`${table}\``;
  }
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the specs

/**
 * The first difference between the nodes' event logs (position, command id, stream version,
 * data), or null when they are identical.
 */
export function firstLogDifference(logs: ReadonlyMap<string, readonly LogRow[]>): string | null {
  const entries = [...logs];
  const [refId, ref] = entries[0];
  for (const [id, log] of entries.slice(1)) {
    const n = Math.max(ref.length, log.length);
    for (let i = 0; i < n; i++) {
      const a = ref[i];
      const b = log[i];
      const same =
        a &&
        b &&
        a.position === b.position &&
        a.command_id === b.command_id &&
        a.stream_version === b.stream_version &&
        a.data === b.data;
      if (!same)
        return `row ${i}: ${refId} has ${JSON.stringify(a ?? null)}, ${id} has ${JSON.stringify(b ?? null)} (lengths ${ref.length} / ${log.length})`;
    }
  }
  return null;
}

/** Every problem with "each acknowledged id is in each node's log exactly once" (at most 10 named). */
export function ackedExactlyOnceProblems(
  acked: Iterable<string>,
  counts: ReadonlyMap<string, ReadonlyMap<string, number>>,
): string[] {
  const problems: string[] = [];
  for (const [id, perCommand] of counts) {
    let missing = 0;
    let repeated = 0;
    const examples: string[] = [];
    for (const commandId of acked) {
      const n = perCommand.get(commandId) ?? 0;
      if (n === 1) continue;
      if (n === 0) missing++;
      else repeated++;
      if (examples.length < 10) examples.push(`${commandId} x${n}`);
    }
    if (missing + repeated > 0)
      problems.push(`${id}: ${missing} acknowledged ids missing, ${repeated} repeated (${examples.join(', ')})`);
  }
  return problems;
}

/**
 * How many rows of a log carry each string value anywhere in their data (a row counts once per
 * value). A command stored twice, even under another command id, counts twice for its payload.
 */
export function rowsByContent(log: readonly LogRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  const collect = (value: unknown, into: Set<string>): void => {
    if (typeof value === 'string') into.add(value);
    else if (Array.isArray(value)) for (const item of value) collect(item, into);
    else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) collect(item, into);
  };
  for (const row of log) {
    const values = new Set<string>();
    try {
      collect(JSON.parse(row.data), values);
    } catch {
      continue; // not JSON: carries no acknowledged payload
    }
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/**
 * Reads every node's log and checks they are identical and hold each acknowledged command exactly
 * once: its acknowledged id once, and its payload once. Every acknowledged write of the specs
 * carries its Idempotency-Key as a value in its data (an append's `{key}`, a REST write's reason),
 * so a second copy stored under another id (a derived or re-minted command id) is counted too.
 * `payloads`: the keys the acknowledged writes carry, when they are not their acknowledged ids.
 */
export async function checkLogs(
  cluster: E2eCluster,
  acked: ReadonlySet<string>,
  payloads: ReadonlySet<string> = acked,
): Promise<{ rows: number; logs: Map<string, LogRow[]> }> {
  const logs = new Map<string, LogRow[]>();
  const counts = new Map<string, Map<string, number>>();
  const byContent = new Map<string, Map<string, number>>();
  for (const id of cluster.ids) {
    const log = await cluster.db.eventLog(id);
    logs.set(id, log);
    const perCommand = new Map<string, number>();
    for (const row of log) perCommand.set(row.command_id, (perCommand.get(row.command_id) ?? 0) + 1);
    counts.set(id, perCommand);
    byContent.set(id, rowsByContent(log));
  }
  expect(ackedExactlyOnceProblems(acked, counts)).toEqual([]);
  expect(ackedExactlyOnceProblems(payloads, byContent).map((p) => `by content: ${p}`)).toEqual([]);
  expect(firstLogDifference(logs)).toBeNull();
  const first = logs.get(cluster.ids[0])!;
  // Positions are gap-free from 1.
  expect(first.every((row, i) => row.position === i + 1)).toBe(true);
  return { rows: first.length, logs };
}

/**
 * BOLA: what a caller gets for an object that exists but is not theirs is exactly what they get
 * for an id that does not exist: 404, the same body but for the id itself. `status`: the HTTP
 * status, or a NATS reply's error statusCode.
 */
export function expectHiddenLikeUnknown(
  hidden: { readonly status: number | string | undefined; readonly body: unknown },
  unknown: { readonly status: number | string | undefined; readonly body: unknown },
  hiddenId: string,
  unknownId: string,
): void {
  const shape = (body: unknown, id: string): string => JSON.stringify(body).split(id).join('<id>');
  expect({ status: hidden.status, body: shape(hidden.body, hiddenId) }).toEqual({ status: 404, body: shape(unknown.body, unknownId) });
  expect(unknown.status).toBe(404);
}

/** The default retry policy of the specs' clients. */
export function retryPolicy(overrides: Partial<RetryOptions> = {}): RetryOptions {
  return { attemptTimeoutMs: 5000, deadlineMs: 60_000, attemptsMax: 200, pauseMs: 100, ...overrides };
}

/** Prints a figure the run measured, so it shows in the jest output. */
export function report(line: string): void {
  process.stdout.write(`[e2e] ${line}\n`);
}
