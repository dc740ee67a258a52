import { type ChildProcess, spawn } from 'node:child_process';
import { canConnect, findFreePort } from '../../src/bench/ports';

/** The nats-server binary; NATS_SERVER_BIN overrides it. */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

const LOOPBACK = '127.0.0.1';

/**
 * A plain nats-server (no JetStream) a test owns, on a loopback port: started, SIGKILLed and
 * started again on the same port, stopped by its pid. Its log goes to a file, never to a pipe.
 */
export class OwnNatsServer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    private readonly logFile: string | undefined,
  ) {}

  /** Starts a server on a spare port (asks again when another process took the port first). */
  static async start(logFile?: string, attempts = 3): Promise<OwnNatsServer> {
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const server = new OwnNatsServer(await findFreePort(), logFile);
      try {
        await server.start();
        return server;
      } catch (error) {
        lastError = error;
        await server.stop();
      }
    }
    throw lastError;
  }

  get url(): string {
    return `nats://${LOOPBACK}:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the server on its port and waits (bounded) until it accepts TCP connections. */
  async start(timeoutMs = 5000): Promise<void> {
    if (this.running) throw new Error(`nats-server on port ${this.port} is already running`);
    const args = ['-a', LOOPBACK, '-p', String(this.port), ...(this.logFile ? ['-l', this.logFile] : [])];
    const child = spawn(NATS_SERVER_BIN, args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((done) => {
      child.once('exit', () => done());
      child.once('error', () => done());
    });
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; !(await canConnect(this.port)); attempt++) {
      if (!this.running)
        throw new Error(
          `nats-server on port ${this.port} exited at start (${child.exitCode ?? child.signalCode ?? 'spawn error'})`,
        );
      if (Date.now() > deadline || attempt > timeoutMs / 10)
        throw new Error(`nats-server on port ${this.port} not accepting connections after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // Something else may hold the port: then our server exits right after binding failed.
    await new Promise((r) => setTimeout(r, 50));
    if (!this.running) throw new Error(`nats-server on port ${this.port} exited at start (port taken?)`);
  }

  /** Sends `signal` and waits (bounded) for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child!.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!gone) throw new Error(`nats-server pid ${this.child!.pid} did not exit ${timeoutMs} ms after ${signal}`);
  }

  /** SIGTERM, then SIGKILL when it lingers. Idempotent. */
  async stop(): Promise<void> {
    try {
      await this.kill('SIGTERM', 3000);
    } catch {
      await this.kill('SIGKILL', 3000);
    }
  }

  /** SIGKILL without waiting, for a process 'exit' hook where nothing asynchronous runs. */
  killNow(): void {
    if (this.running) this.child!.kill('SIGKILL');
  }
}

