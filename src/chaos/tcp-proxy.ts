import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { LOOPBACK } from '../bench/ports';

/**
 * What a route proxy does with bytes: `open` forwards, `blocked` drops both ways (and holds new
 * connections unanswered), `drop-forward`/`drop-backward` drop one way only, `delayed` forwards
 * after `delayMs`.
 */
export type ProxyMode =
  | { readonly kind: 'open' }
  | { readonly kind: 'blocked' }
  | { readonly kind: 'drop-forward' }
  | { readonly kind: 'drop-backward' }
  | { readonly kind: 'delayed'; readonly delayMs: number };

/** Connections one proxy keeps at most (a NATS route needs one or two). */
const CONNECTIONS_MAX = 64;

/**
 * A TCP proxy on a loopback port in front of one NATS route port: the partitions of the chaos
 * harness. "Forward" is the direction from the connecting server to the listening one. A heal
 * (`setMode(open, {reset: true})`) destroys the connections that lost bytes, so both servers
 * reconnect on a clean stream instead of reading a protocol stream with a hole in it.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private mode: ProxyMode = { kind: 'open' };

  constructor(
    readonly name: string,
    readonly listenPort: number,
    readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, LOOPBACK, () => resolve());
    });
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  /** Changes what happens to bytes from now on; `reset` also drops every open connection. */
  setMode(mode: ProxyMode, options: { reset?: boolean } = {}): void {
    this.mode = mode;
    if (options.reset || mode.kind === 'blocked') this.resetAll();
  }

  /** Closes every connection through the proxy (the servers reconnect). */
  resetAll(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  async stop(): Promise<void> {
    this.resetAll();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode.kind === 'blocked' || this.pairs.size >= CONNECTIONS_MAX) {
      // A black hole, not a refusal: the dialing server sees a connect that never speaks.
      client.on('error', () => undefined);
      client.pause();
      setTimeout(() => client.destroy(), 2000).unref();
      return;
    }
    const upstream = createConnection({ host: LOOPBACK, port: this.targetPort });
    const pair = { client, upstream };
    this.pairs.add(pair);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (chunk) => this.forward(chunk, upstream, 'forward'));
    upstream.on('data', (chunk) => this.forward(chunk, client, 'backward'));
  }

  private forward(chunk: Buffer, to: Socket, direction: 'forward' | 'backward'): void {
    const mode = this.mode;
    if (mode.kind === 'blocked') return;
    if (mode.kind === 'drop-forward' && direction === 'forward') return;
    if (mode.kind === 'drop-backward' && direction === 'backward') return;
    if (mode.kind === 'delayed') {
      // Timers of equal delay fire in order, so the stream stays in order.
      setTimeout(() => to.destroyed || to.write(chunk), mode.delayMs).unref();
      return;
    }
    if (!to.destroyed) to.write(chunk);
  }
}
