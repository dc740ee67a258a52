import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pollUntil } from '../bench/poll';
import { LOOPBACK, findFreePorts } from '../bench/ports';
import { clusterStatusOf, localAdminEnv } from '../cluster/node-process';
import { MariadbInstance } from './mariadb-instance';
import { NATS_PASSWORD_VARS, NatsProcess } from './nats-process';
import { type ProxyMode, TcpProxy } from './tcp-proxy';

/** The node the chaos harness runs (built by `npm run build`). */
export const DIST_MAIN = resolve(__dirname, '..', '..', 'dist', 'main.js');
/** The student-records service the archive sagas hand their archives to. */
const DIST_RECORDS = resolve(__dirname, '..', '..', 'dist', 'records', 'main.js');
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
}

/** One host: its MariaDB, its NATS server, its node process. */
export interface ChaosHost {
  readonly id: string;
  readonly mariadb: MariadbInstance;
  readonly nats: NatsProcess;
  readonly httpPort: number;
  readonly nodeLog: string;
  node: ChildProcess | null;
  nodeExited: Promise<void>;
  /** Exits the harness did not cause (a node that stopped on its own), for the report. */
  unexpectedExits: string[];
  paused: boolean;
}

/**
 * Three hosts on one machine, all on loopback: per host its own MariaDB (own data dir and port),
 * its own nats-server (a 3-server cluster whose routes go through TcpProxy so partitions are real
 * cuts) and its own node process. Every process is stopped by its pid in `stop()`, also when the
 * run failed, and killed by an exit hook if this process ends first.
 */
export class ChaosCluster {
  readonly hosts: ChaosHost[] = [];
  /** proxies.get(`${from}->${to}`): the route from host `from`'s server to host `to`'s. */
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
    // nats-server parses a $VAR's value as config: one starting with a digit would be a number.
    this.natsPasswords = Object.fromEntries(NATS_PASSWORD_VARS.map((v) => [v, `pw${randomBytes(12).toString('hex')}`]));
    process.once('exit', this.onExit);
  }

  get ids(): string[] {
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
      await cluster.setUp(options.hosts ?? 3);
      return cluster;
    } catch (error) {
      await cluster.stop().catch(() => undefined);
      throw error;
    }
  }

  private async setUp(count: number): Promise<void> {
    const ports = await findFreePorts(count * 4 + count * (count - 1));
    const take = (): number => ports.shift()!;
    const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
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
      });
      this.hosts.push({
        id, mariadb, nats, httpPort: take(), nodeLog: join(hostDir, 'node.log'),
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
    await Promise.all(this.hosts.map((h) => this.waitServing(h.id)));
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

  host(id: string): ChaosHost {
    const host = this.hosts.find((h) => h.id === id);
    if (!host) throw new Error(`no host ${id}`);
    return host;
  }

  nodeRunning(id: string): boolean {
    const child = this.host(id).node;
    return child !== null && child.exitCode === null && child.signalCode === null;
  }

  /** The base URL of a node's HTTP API. */
  baseUrl(id: string): string {
    return `http://${LOOPBACK}:${this.host(id).httpPort}`;
  }

  /** The leader as the running nodes see it (a majority naming one leader that says so), or null. */
  async leader(): Promise<string | null> {
    const statuses = await Promise.all(this.hosts.map(async (h) => (this.nodeRunning(h.id) && !h.paused ? await clusterStatusOf(h.httpPort) : null)));
    const leaders = statuses.filter((s) => s?.role === 'leader').map((s) => String(s!.nodeId));
    return leaders.length === 1 ? leaders[0] : null;
  }

  async waitForLeader(timeoutMs: number): Promise<string> {
    let leader: string | null = null;
    await pollUntil('a leader', async () => (leader = await this.leader()) !== null, { timeoutMs, everyMs: 200, attemptsMax: timeoutMs / 200 + 2 });
    return leader!;
  }

  /** Starts a node process (its database must be up); does not wait for it to serve. */
  spawnNode(host: ChaosHost): void {
    const out = openSync(host.nodeLog, 'a');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ID: host.id,
      CLUSTER_NODES: this.ids.join(','),
      CLUSTER_NAME: CHAOS_CLUSTER_NAME,
      HTTP_HOST: LOOPBACK,
      HTTP_PORT: String(host.httpPort),
      HTTP_PORT_RANGE: '0',
      NATS_URL: host.nats.url,
      NATS_USER: host.id,
      NATS_PASSWORD: this.natsPasswords[`NATS_${host.id.toUpperCase()}_PASSWORD`],
      MYSQL_URL: host.mariadb.url,
      MYSQL_DATABASE: `behavior_${host.id}`,
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
    host.node = child;
    host.paused = false;
    host.nodeExited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        if (!this.expectedExit.delete(child)) host.unexpectedExits.push(`${new Date().toISOString()} code ${code} signal ${signal}`);
        done();
      });
      child.once('error', () => done());
    });
  }

  /** Waits until a node answers its status page; fails when it exits. */
  async waitServing(id: string, timeoutMs = NODE_SERVE_TIMEOUT_MS): Promise<void> {
    const host = this.host(id);
    await pollUntil(`node ${id} serving HTTP`, async () => {
      if (!this.nodeRunning(id)) throw new Error(`node ${id} exited while starting:\n${this.nodeLogTail(id)}`);
      return (await clusterStatusOf(host.httpPort)) !== null;
    }, { timeoutMs, everyMs: 200, attemptsMax: timeoutMs / 200 + 2, isFatal: (e) => e instanceof Error && e.message.includes('exited while starting') });
  }

  /** SIGKILL of a node process (continued first when paused, so the kill is immediate). */
  async killNode(id: string): Promise<void> {
    const host = this.host(id);
    if (!this.nodeRunning(id)) return;
    this.expectedExit.add(host.node!);
    host.node!.kill('SIGKILL');
    await withTimeout(host.nodeExited, NODE_EXIT_WAIT_MS, `node ${id} to exit after SIGKILL`);
    host.paused = false;
  }

  pauseNode(id: string): void {
    const host = this.host(id);
    if (!this.nodeRunning(id)) return;
    host.node!.kill('SIGSTOP');
    host.paused = true;
  }

  resumeNode(id: string): void {
    const host = this.host(id);
    if (!this.nodeRunning(id)) return;
    host.node!.kill('SIGCONT');
    host.paused = false;
  }

  /** Sets both route proxies between `a` and `b` for bytes going from `from` to `to`. */
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
    for (const host of this.hosts) if (host.paused) this.resumeNode(host.id);
    for (const host of this.hosts) if (!host.mariadb.running) await host.mariadb.start();
    for (const host of this.hosts) if (!host.nats.running) await host.nats.start();
    for (const host of this.hosts) if (!this.nodeRunning(host.id)) this.spawnNode(host);
    await Promise.all(this.hosts.map((h) => this.waitServing(h.id)));
  }

  nodeLogTail(id: string, lines = 30): string {
    try {
      return readFileSync(this.host(id).nodeLog, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
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
      if (this.nodeRunning(host.id)) {
        this.expectedExit.add(host.node!);
        if (host.paused) host.node!.kill('SIGCONT');
        host.node!.kill('SIGKILL');
        await withTimeout(host.nodeExited, NODE_EXIT_WAIT_MS, `node ${host.id} to exit`).catch(() => undefined);
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
      if (this.nodeRunning(host.id)) host.node!.kill('SIGKILL');
      host.nats.killNow();
      host.mariadb.killNow();
    }
  }
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

