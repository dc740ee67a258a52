import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { pollUntil } from '../bench/poll';
import { LOOPBACK, findFreePorts } from '../bench/ports';
import { clusterStatusOf, localAdminEnv } from '../cluster/node-process';
import { createKysely } from '../infra/mysql/database';
import { MariadbInstance } from './mariadb-instance';
import { NATS_PASSWORD_VARS, NatsProcess, natsPasswordVar } from './nats-process';
import { type ProxyMode, TcpProxy } from './tcp-proxy';

/** The node the chaos harness runs (built by `npm run build`). */
export const DIST_MAIN = resolve(__dirname, '..', '..', 'dist', 'main.js');
/** The student-records service the archive sagas hand their archives to. */
const DIST_RECORDS = resolve(__dirname, '..', '..', 'dist', 'records', 'main.js');
/** The operator CLI (`npm run cli`), which the membership faults run. */
const DIST_CLI = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
/** accounts.conf names the cluster `behavior` in its protocol permissions. */
const CHAOS_CLUSTER_NAME = 'behavior';
const NODE_SERVE_TIMEOUT_MS = 60_000;
const NODE_EXIT_WAIT_MS = 8_000;

/** How a chaos cluster is set up. */
export interface ChaosClusterOptions {
  readonly hosts?: number;
  /** Every MariaDB's innodb_flush_log_at_trx_commit; anything but 1 starts the nodes with UNSAFE_DURABILITY=1. */
  readonly flushLogAtTrxCommit?: 0 | 1;
  /** Where logs and data go; default a fresh temp dir, removed by `stop()` unless `keep`. */
  readonly dir?: string;
  readonly keep?: boolean;
  readonly nodeEnv?: Readonly<Record<string, string>>;
  /**
   * Spare node ids (after the founding n1..n<hosts>) the harness provisions without starting them:
   * each has a NATS user and password, and may later take a host's place (`replaceNodeOnHost`).
   */
  readonly spares?: number;
}

/** One host: its MariaDB, its NATS server, the node process it runs. */
export interface ChaosHost {
  /** The host: h1, h2, ... (its MariaDB, NATS server, route proxies and HTTP port stay). */
  readonly id: string;
  /** The node the host runs: a founding node, or a spare that replaced it. */
  nodeId: string;
  readonly dir: string;
  readonly mariadb: MariadbInstance;
  readonly nats: NatsProcess;
  readonly httpPort: number;
  /** The storage guard files of the nodes this host ran (NODE_GUARD_DIR): outside MySQL, kept when a database is wiped. */
  readonly guardDir: string;
  /** The log of the node the host runs now (one file per node id). */
  nodeLog: string;
  node: ChildProcess | null;
  nodeExited: Promise<void>;
  /** Exits the harness did not cause (a node that stopped on its own, `<node id>: ...`), for the report. */
  unexpectedExits: string[];
  paused: boolean;
}

/** What a CLI run printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The configuration the log decided, as a node's status shows it. */
export interface ClusterConfiguration {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

/**
 * Three hosts on one machine, all on loopback: per host its own MariaDB (own data dir and port),
 * its own nats-server (a 3-server cluster whose routes go through TcpProxy so partitions are real
 * cuts) and its own node process. The founding nodes n1..n3 run on hosts h1..h3 with
 * CLUSTER_NODES=n1,n2,n3; a spare node id (n4, ...) can take a host's place, as a machine
 * re-imaged under a new node id. Every process is stopped by its pid in `stop()`, also when the
 * run failed, and killed by an exit hook if this process ends first.
 */
export class ChaosCluster {
  readonly hosts: ChaosHost[] = [];
  /** The founding members (every node's CLUSTER_NODES). */
  readonly founding: readonly string[];
  /** Spare node ids not started yet. */
  readonly spares: string[];
  /** proxies.get(`${from}->${to}`): the route from host `from`'s server to host `to`'s (host ids). */
  readonly proxies = new Map<string, TcpProxy>();
  readonly natsPasswords: Record<string, string>;
  /** The records service (one for the cluster, connected to every NATS server). */
  private records: ChildProcess | null = null;
  private expectedExit = new Set<ChildProcess>();
  private stopped: Promise<void> | null = null;
  private readonly onExit = (): void => this.killAllNow();
  /** The run's token-signing secret, random per run, the same on every node. */
  private readonly jwtSecret = randomBytes(48).toString('base64');

  private constructor(
    readonly dir: string,
    private readonly options: ChaosClusterOptions,
  ) {
    const count = options.hosts ?? 3;
    this.founding = Array.from({ length: count }, (_, i) => `n${i + 1}`);
    this.spares = Array.from({ length: options.spares ?? 0 }, (_, i) => `n${count + i + 1}`);
    const vars = [...NATS_PASSWORD_VARS, ...this.spares.map(natsPasswordVar)];
    // nats-server parses a $VAR's value as config: one starting with a digit would be a number.
    this.natsPasswords = Object.fromEntries(vars.map((v) => [v, `pw${randomBytes(12).toString('hex')}`]));
    process.once('exit', this.onExit);
  }

  /** The nodes the hosts run now (a replaced node's id is gone from here). */
  get nodeIds(): string[] {
    return this.hosts.map((h) => h.nodeId);
  }

  get hostIds(): string[] {
    return this.hosts.map((h) => h.id);
  }

  get unsafe(): boolean {
    return (this.options.flushLogAtTrxCommit ?? 1) !== 1;
  }

  /** Creates and starts everything, then waits until every node serves and one leads. */
  static async start(options: ChaosClusterOptions = {}): Promise<ChaosCluster> {
    if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run npm run build first`);
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'chaos-'));
    mkdirSync(dir, { recursive: true });
    const cluster = new ChaosCluster(dir, options);
    try {
      await cluster.setUp();
      return cluster;
    } catch (error) {
      await cluster.stop().catch(() => undefined);
      throw error;
    }
  }

  private async setUp(): Promise<void> {
    const count = this.founding.length;
    const ports = await findFreePorts(count * 4 + count * (count - 1));
    const take = (): number => ports.shift()!;
    const ids = hostIdsOf(count);
    const clusterPorts = ids.map(() => take());
    for (const [i, from] of ids.entries()) {
      for (const [j, to] of ids.entries()) {
        if (i !== j) this.proxies.set(`${from}->${to}`, new TcpProxy(`${from}->${to}`, take(), clusterPorts[j]));
      }
    }
    for (const [i, id] of ids.entries()) {
      const hostDir = join(this.dir, id);
      mkdirSync(hostDir, { recursive: true });
      const mariadb = new MariadbInstance({
        name: `mariadb-${id}`,
        dir: join(hostDir, 'mariadb'),
        port: take(),
        flushLogAtTrxCommit: this.options.flushLogAtTrxCommit ?? 1,
      });
      const nats = new NatsProcess({
        name: `nats-${id}`,
        dir: hostDir,
        clientPort: take(),
        clusterPort: clusterPorts[i],
        routePorts: ids.filter((o) => o !== id).map((o) => this.proxies.get(`${id}->${o}`)!.listenPort),
        passwords: this.natsPasswords,
        extraNodeUsers: this.spares,
      });
      const nodeId = this.founding[i];
      this.hosts.push({
        id, nodeId, dir: hostDir, mariadb, nats, httpPort: take(), guardDir: join(hostDir, 'guard'), nodeLog: join(hostDir, `node-${nodeId}.log`),
        node: null, nodeExited: Promise.resolve(), unexpectedExits: [], paused: false,
      });
    }
    for (const proxy of this.proxies.values()) await proxy.start();
    await Promise.all(this.hosts.map(async (h) => {
      h.mariadb.install();
      await h.mariadb.start();
      h.nats.writeConfig();
      await h.nats.start();
    }));
    for (const host of this.hosts) this.spawnNode(host);
    this.spawnRecords();
    await Promise.all(this.hosts.map((h) => this.waitServing(h.nodeId)));
    await this.waitForLeader(60_000);
  }

  /** Starts the records service as the `records` user, listing every NATS server (it fails over). */
  private spawnRecords(): void {
    const log = openSync(join(this.dir, 'records.log'), 'a');
    this.records = spawn(process.execPath, [DIST_RECORDS], {
      env: {
        ...process.env,
        NATS_URL: this.hosts.map((h) => h.nats.url).join(','),
        NATS_USER: 'records',
        NATS_PASSWORD: this.natsPasswords.NATS_RECORDS_PASSWORD,
        RECORDS_DIR: join(this.dir, 'records'),
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
  }

  /** A host by its id (h1, ...). */
  host(id: string): ChaosHost {
    const host = this.hosts.find((h) => h.id === id);
    if (!host) throw new Error(`no host ${id}`);
    return host;
  }

  /** The host that runs node `nodeId` now. */
  hostOf(nodeId: string): ChaosHost {
    const host = this.hosts.find((h) => h.nodeId === nodeId);
    if (!host) throw new Error(`no host runs node ${nodeId}`);
    return host;
  }

  nodeRunning(nodeId: string): boolean {
    return hostNodeRunning(this.hostOf(nodeId));
  }

  /** The base URL of a host's HTTP API (the node it runs answers there). */
  baseUrl(hostId: string): string {
    return `http://${LOOPBACK}:${this.host(hostId).httpPort}`;
  }

  /** The leader as the running nodes see it (a majority naming one leader that says so), or null. */
  async leader(): Promise<string | null> {
    const statuses = await Promise.all(this.hosts.map(async (h) => (hostNodeRunning(h) && !h.paused ? await clusterStatusOf(h.httpPort) : null)));
    const leaders = statuses.filter((s) => s?.role === 'leader').map((s) => String(s!.nodeId));
    return leaders.length === 1 ? leaders[0] : null;
  }

  /** `GET /api/cluster/status` of a node (as the local admin), or null when it does not answer or knows no admin yet. */
  async status(nodeId: string): Promise<Record<string, unknown> | null> {
    const host = this.hostOf(nodeId);
    return hostNodeRunning(host) && !host.paused ? clusterStatusOf(host.httpPort) : null;
  }

  /** The configuration the leader's status shows (its newest one), or null when no single leader answers. */
  async configuration(): Promise<ClusterConfiguration | null> {
    const leader = await this.leader();
    const status = leader === null ? null : await this.status(leader);
    const configuration = status?.configuration as { voters?: unknown; learners?: unknown } | undefined;
    if (!Array.isArray(configuration?.voters) || !Array.isArray(configuration.learners)) return null;
    return { voters: configuration.voters.map(String), learners: configuration.learners.map(String) };
  }

  async waitForLeader(timeoutMs: number): Promise<string> {
    let leader: string | null = null;
    await pollUntil('a leader', async () => (leader = await this.leader()) !== null, { timeoutMs, everyMs: 200, attemptsMax: timeoutMs / 200 + 2 });
    return leader!;
  }

  /** Starts a host's node process (its database must be up); does not wait for it to serve. */
  spawnNode(host: ChaosHost): void {
    const out = openSync(host.nodeLog, 'a');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ID: host.nodeId,
      // The founding list, also for a node added later: it learns the members from the log.
      CLUSTER_NODES: this.founding.join(','),
      CLUSTER_NAME: CHAOS_CLUSTER_NAME,
      HTTP_HOST: LOOPBACK,
      HTTP_PORT: String(host.httpPort),
      HTTP_PORT_RANGE: '0',
      NATS_URL: host.nats.url,
      NATS_USER: host.nodeId,
      NATS_PASSWORD: this.natsPasswords[natsPasswordVar(host.nodeId)],
      MYSQL_URL: host.mariadb.url,
      MYSQL_DATABASE: databaseOf(host.nodeId),
      NODE_GUARD_DIR: host.guardDir,
      ...localAdminEnv(),
      JWT_SECRET: this.jwtSecret,
      JWT_SECRETS: '',
      // Status is polled by logging in, also while a restarted node has not caught up with the admin.
      LOGIN_FAILURES_PER_ACCOUNT: '1000000',
      LOGIN_FAILURES_PER_ADDRESS: '1000000',
      HTTP_RATE_LIMIT_PER_SECOND: '100000',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      // Chunks of 2 students: the workload's small batches span several entries, so a batch that
      // fails mid-way has applied chunks to compensate.
      SAGA_CHUNK_STUDENTS_MAX: '2',
      ...(this.unsafe ? { UNSAFE_DURABILITY: '1' } : {}),
      ...this.options.nodeEnv,
    };
    const child = spawn(process.execPath, [DIST_MAIN], { env, stdio: ['ignore', out, out] });
    closeSync(out);
    const nodeId = host.nodeId;
    host.node = child;
    host.paused = false;
    host.nodeExited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        if (!this.expectedExit.delete(child)) host.unexpectedExits.push(`${nodeId}: ${new Date().toISOString()} code ${code} signal ${signal}`);
        done();
      });
      child.once('error', () => done());
    });
  }

  /** Waits until a node answers its status page (its admin known: it has its log); fails when it exits. */
  async waitServing(nodeId: string, timeoutMs = NODE_SERVE_TIMEOUT_MS): Promise<void> {
    const host = this.hostOf(nodeId);
    await pollUntil(`node ${nodeId} serving HTTP`, async () => {
      if (!hostNodeRunning(host)) throw new Error(`node ${nodeId} exited while starting:\n${this.nodeLogTail(nodeId)}`);
      return (await clusterStatusOf(host.httpPort)) !== null;
    }, { timeoutMs, everyMs: 200, attemptsMax: timeoutMs / 200 + 2, isFatal: (e) => e instanceof Error && e.message.includes('exited while starting') });
  }

  /**
   * Waits until a node's HTTP server is up (`/health/live`, public): a node that has no log yet
   * (a new member before it is added) serves it, though it knows no admin to log in.
   */
  async waitLive(nodeId: string, timeoutMs = NODE_SERVE_TIMEOUT_MS): Promise<void> {
    const host = this.hostOf(nodeId);
    await pollUntil(`node ${nodeId} live`, async () => {
      if (!hostNodeRunning(host)) throw new Error(`node ${nodeId} exited while starting:\n${this.nodeLogTail(nodeId)}`);
      try {
        return (await fetch(`http://${LOOPBACK}:${host.httpPort}/health/live`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    }, { timeoutMs, everyMs: 200, attemptsMax: timeoutMs / 200 + 2, isFatal: (e) => e instanceof Error && e.message.includes('exited while starting') });
  }

  /** SIGKILL of a node process (continued first when paused, so the kill is immediate). */
  async killNode(nodeId: string): Promise<void> {
    const host = this.hostOf(nodeId);
    if (!hostNodeRunning(host)) return;
    this.expectedExit.add(host.node!);
    host.node!.kill('SIGKILL');
    await withTimeout(host.nodeExited, NODE_EXIT_WAIT_MS, `node ${nodeId} to exit after SIGKILL`);
    host.paused = false;
  }

  pauseNode(nodeId: string): void {
    const host = this.hostOf(nodeId);
    if (!hostNodeRunning(host)) return;
    host.node!.kill('SIGSTOP');
    host.paused = true;
  }

  resumeNode(nodeId: string): void {
    const host = this.hostOf(nodeId);
    if (!hostNodeRunning(host)) return;
    host.node!.kill('SIGCONT');
    host.paused = false;
  }

  /** Drops a stopped node's database on its host's MariaDB (the disk lost; its guard file stays). */
  async dropDatabase(nodeId: string): Promise<void> {
    const host = this.hostOf(nodeId);
    if (hostNodeRunning(host)) throw new Error(`node ${nodeId} still runs: stop it before dropping its database`);
    const db = createKysely(host.mariadb.url, 'mysql', 1);
    try {
      await sql`DROP DATABASE IF EXISTS ${sql.id(databaseOf(nodeId))}`.execute(db);
    } finally {
      await db.destroy();
    }
  }

  /**
   * Starts spare `newId` on the host of the stopped node `oldId`, in its place (same MariaDB, NATS
   * server and HTTP port; its own database, NATS user and log). Does not wait for it to serve.
   */
  replaceNodeOnHost(oldId: string, newId: string): ChaosHost {
    const host = this.hostOf(oldId);
    if (hostNodeRunning(host)) throw new Error(`node ${oldId} still runs: stop it before replacing it`);
    const spare = this.spares.indexOf(newId);
    if (spare < 0) throw new Error(`${newId} is not a spare of this cluster (spares: ${this.spares.join(', ') || 'none'})`);
    this.spares.splice(spare, 1);
    host.nodeId = newId;
    host.nodeLog = join(host.dir, `node-${newId}.log`);
    this.spawnNode(host);
    return host;
  }

  /**
   * Runs the operator CLI (`dist/cli/main.js <args>`) as the `operator` NATS user, with the nodes
   * the hosts run now as its CLUSTER_NODES (whom it asks for the leader); killed after `timeoutMs`.
   * What it printed goes to `operator.log` in the run's folder too.
   */
  async cli(args: readonly string[], timeoutMs: number): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CLUSTER_NODES: this.nodeIds.join(','),
      CLUSTER_NAME: CHAOS_CLUSTER_NAME,
      NATS_URL: this.hosts.map((h) => h.nats.url).join(','),
      NATS_USER: 'operator',
      NATS_PASSWORD: this.natsPasswords.NATS_OPERATOR_PASSWORD,
      MYSQL_URL: this.hosts[0].mariadb.url,
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [DIST_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((done) => {
      child.once('close', (exitCode) => done(exitCode));
      child.once('error', () => done(null));
    }).finally(() => clearTimeout(timer));
    appendFileSync(join(this.dir, 'operator.log'), `${new Date().toISOString()} cli ${args.join(' ')} -> exit ${code}\n${stdout}${stderr}\n`);
    return { code, stdout, stderr };
  }

  /** Sets both route proxies between hosts `from` and `to` for bytes going from `from` to `to`. */
  setLink(from: string, to: string, mode: 'open' | 'blocked' | 'one-way', delayMs = 0): void {
    // The route from->to carries from's bytes forward; the route to->from carries them backward.
    const out = this.proxies.get(`${from}->${to}`)!;
    const back = this.proxies.get(`${to}->${from}`)!;
    const modes: [ProxyMode, ProxyMode] =
      mode === 'open' ? [{ kind: 'open' }, { kind: 'open' }]
      : mode === 'blocked' ? [{ kind: 'blocked' }, { kind: 'blocked' }]
      : [{ kind: 'drop-forward' }, { kind: 'drop-backward' }];
    if (delayMs > 0 && mode === 'open') {
      out.setMode({ kind: 'delayed', delayMs });
      back.setMode({ kind: 'delayed', delayMs });
      return;
    }
    out.setMode(modes[0]);
    back.setMode(modes[1]);
  }

  /** Opens every route again, dropping connections that lost bytes. */
  healNetwork(): void {
    for (const proxy of this.proxies.values()) {
      const wasOpen = proxy.currentMode.kind === 'open';
      proxy.setMode({ kind: 'open' }, { reset: !wasOpen });
    }
  }

  /** After a fault: every paused node continued, every database and NATS server and node running. */
  async healAll(): Promise<void> {
    this.healNetwork();
    for (const host of this.hosts) if (host.paused) this.resumeNode(host.nodeId);
    for (const host of this.hosts) if (!host.mariadb.running) await host.mariadb.start();
    for (const host of this.hosts) if (!host.nats.running) await host.nats.start();
    for (const host of this.hosts) if (!hostNodeRunning(host)) this.spawnNode(host);
    await Promise.all(this.hosts.map((h) => this.waitServing(h.nodeId)));
  }

  nodeLogTail(nodeId: string, lines = 30): string {
    try {
      return readFileSync(this.hostOf(nodeId).nodeLog, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Stops every process by pid (nodes, NATS servers, MariaDBs, proxies); idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  private async stopOnce(): Promise<void> {
    for (const host of this.hosts) {
      if (hostNodeRunning(host)) {
        this.expectedExit.add(host.node!);
        if (host.paused) host.node!.kill('SIGCONT');
        host.node!.kill('SIGKILL');
        await withTimeout(host.nodeExited, NODE_EXIT_WAIT_MS, `node ${host.nodeId} to exit`).catch(() => undefined);
      }
    }
    if (this.records && this.records.exitCode === null && this.records.signalCode === null) {
      const exited = new Promise<void>((done) => this.records!.once('exit', () => done()));
      this.records.kill('SIGKILL');
      await withTimeout(exited, NODE_EXIT_WAIT_MS, 'the records service to exit').catch(() => undefined);
    }
    await Promise.allSettled(this.hosts.map((h) => h.nats.stop()));
    await Promise.allSettled(this.hosts.map((h) => h.mariadb.stop()));
    await Promise.allSettled([...this.proxies.values()].map((p) => p.stop()));
    process.removeListener('exit', this.onExit);
    if (!this.options.keep && this.options.dir === undefined) rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    else if (!this.options.keep) for (const host of this.hosts) rmSync(join(host.mariadb.spec.dir, 'data'), { recursive: true, force: true });
  }

  private killAllNow(): void {
    if (this.records && this.records.exitCode === null) this.records.kill('SIGKILL');
    for (const host of this.hosts) {
      if (hostNodeRunning(host)) host.node!.kill('SIGKILL');
      host.nats.killNow();
      host.mariadb.killNow();
    }
  }
}

/** The ids of a cluster's hosts: h1, h2, ... */
export function hostIdsOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `h${i + 1}`);
}

/** A node's database: `behavior_<node id>` on its host's MariaDB. */
export function databaseOf(nodeId: string): string {
  return `behavior_${nodeId}`;
}

function hostNodeRunning(host: ChaosHost): boolean {
  const child = host.node;
  return child !== null && child.exitCode === null && child.signalCode === null;
}

async function withTimeout(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

