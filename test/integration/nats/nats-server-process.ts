import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { sleep } from './nats-test-support';

/** The nats-server binary the integration tests start their own servers from. */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** A free loopback port (as free as a port can be between asking and binding). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A nats-server this test owns: started on a loopback port, stopped by its pid. */
export class NatsServerProcess {
  private child: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server and waits (bounded) until it accepts TCP connections. */
  async start(timeoutMs = 5000): Promise<void> {
    if (this.child) throw new Error('nats-server already started');
    const child = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(this.port))) {
      if (child.exitCode !== null) throw new Error(`nats-server on port ${this.port} exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`nats-server on port ${this.port} not up after ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  /** Sends `signal` to the server's pid; SIGKILL and SIGTERM wait (bounded) for it to exit. */
  async signal(signal: NodeJS.Signals, timeoutMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (signal !== 'SIGKILL' && signal !== 'SIGTERM') {
      child.kill(signal);
      return;
    }
    const exited = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server pid ${child.pid} did not exit`)), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    child.kill(signal);
    await exited;
    this.child = null;
  }

  /** Kills the server (idempotent), resuming it first if it was stopped. */
  async stop(): Promise<void> {
    await this.signal('SIGCONT');
    await this.signal('SIGKILL');
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
