import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LOOPBACK } from './ports';

/** The nats-server binary; NATS_SERVER_BIN overrides it. */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** How much of a server's log an error message quotes. */
export const logTailCharsMax = 2000;

/** One server of a cluster: its ports, its peers' route ports, and where it keeps its files. */
export interface NatsServerSpec {
  readonly serverName: string;
  readonly clusterName: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  /** The cluster ports of the other servers (not this one's). */
  readonly routePorts: readonly number[];
  readonly storeDir: string;
  readonly logFile: string;
  readonly binary?: string;
}

/**
 * A nats-server child process with JetStream, bound to 127.0.0.1 only. Stopped by its pid;
 * its log goes to `spec.logFile` rather than a pipe, so a chatty server can never block on a
 * full pipe nobody reads.
 */
export class NatsServerChild {
  private exit: Promise<void>;
  private spawnError: Error | null = null;

  private constructor(
    readonly spec: NatsServerSpec,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', (err) => {
      this.spawnError = err; // e.g. ENOENT: no 'exit' follows, so settle the exit promise here
      this.exit = Promise.resolve();
    });
  }

  /** Spawns the server; does not wait for it to accept connections (see `NatsCluster`). */
  static start(spec: NatsServerSpec): NatsServerChild {
    const child = spawn(spec.binary ?? NATS_SERVER_BIN, serverArgs(spec), { stdio: 'ignore' });
    return new NatsServerChild(spec, child);
  }

  get url(): string {
    return `nats://${LOOPBACK}:${this.spec.clientPort}`;
  }

  /** The pid, or undefined when the binary could not be spawned at all. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.spawnError !== null || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Why the process is gone (exit code, signal or spawn error) plus the tail of its log. */
  describeExit(): string {
    const how = this.spawnError
      ? `could not start: ${this.spawnError.message}`
      : `exited with ${this.child.exitCode ?? this.child.signalCode}`;
    return `nats-server ${this.spec.serverName} ${how}\n${this.logTail()}`;
  }

  /** The last `logTailCharsMax` characters of the server's log ('' when there is none yet). */
  logTail(): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').slice(-logTailCharsMax);
    } catch {
      return '';
    }
  }

  /**
   * SIGTERM, then SIGKILL if it has not exited after `termWaitMs`.
   *
   * @throws Error when the process is still there `killWaitMs` after SIGKILL.
   */
  async stop(termWaitMs = 5000, killWaitMs = 2000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    if (await this.waitForExit(termWaitMs)) return;
    this.child.kill('SIGKILL');
    if (!(await this.waitForExit(killWaitMs))) throw new Error(`nats-server pid ${this.pid} survived SIGKILL`);
  }

  /** SIGKILL without waiting: for a process 'exit' hook, where nothing asynchronous runs. */
  killNow(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private async waitForExit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const exited = await Promise.race([this.exit.then(() => true as const), timeout]);
    clearTimeout(timer);
    return exited;
  }
}

function serverArgs(spec: NatsServerSpec): string[] {
  const route = (port: number): string => `nats://${LOOPBACK}:${port}`;
  return [
    '--jetstream',
    '--store_dir',
    spec.storeDir,
    '--addr',
    LOOPBACK,
    '--port',
    String(spec.clientPort),
    '--server_name',
    spec.serverName,
    '--cluster_name',
    spec.clusterName,
    '--cluster',
    route(spec.clusterPort),
    '--routes',
    spec.routePorts.map(route).join(','),
    '--log',
    spec.logFile,
  ];
}
