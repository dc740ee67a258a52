import { connect, DebugEvents, Events, type NatsConnection, type Status } from 'nats';

/** Where connection events go: the caller's logger, so this file depends on no logging library. */
export type NatsLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** How to reach NATS. */
export interface NatsConnectOptions {
  /** One server or a comma-separated list, e.g. `nats://10.0.0.1:4222,nats://10.0.0.2:4222`. */
  readonly url: string;
  /** The client name the server shows (`nats server report connections`), e.g. `behavior-n1`. */
  readonly name: string;
  readonly user?: string;
  readonly password?: string;
  /**
   * The prefix of this connection's reply inboxes (see `inboxPrefixFor`); the shipped NATS
   * permissions let each user subscribe only below its own.
   */
  readonly inboxPrefix: string;
  readonly log: NatsLog;
  /** Defaults: 2000 ms ping interval and 2 pings out, so a dead server is noticed in ~4-6 s. */
  readonly pingIntervalMs?: number;
  readonly maxPingOut?: number;
  /** Pause between reconnect attempts; default 250 ms. */
  readonly reconnectTimeWaitMs?: number;
  /** Bound on the first connect; default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

/** What the node's NATS connection is doing now, for metrics. */
export interface NatsConnectionState {
  /** True while connected to a server (false while disconnected, reconnecting or closed). */
  connected: boolean;
  /** Reconnects since the first connect. */
  reconnects: number;
}

const states = new WeakMap<NatsConnection, NatsConnectionState>();

/** The state of a connection made by connectNats (undefined for any other). */
export function natsConnectionState(nc: NatsConnection): Readonly<NatsConnectionState> | undefined {
  return states.get(nc);
}

/** The first connect failed; the message names the (credential-free) URL. */
export class NatsConnectError extends Error {
  override readonly name = 'NatsConnectError';
}

/**
 * Connects to NATS, then reconnects forever: a node must ride out a NATS restart, never give
 * up on its peers. Status events (disconnect, reconnect, errors) go to `options.log`.
 *
 * @throws NatsConnectError when the first connect fails (no server reachable, bad credentials).
 */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const servers = parseServers(options.url);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: options.name,
      user: options.user,
      pass: options.password,
      inboxPrefix: options.inboxPrefix,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
      waitOnFirstConnect: false,
      pingInterval: options.pingIntervalMs ?? 2000,
      maxPingOut: options.maxPingOut ?? 2,
      timeout: options.connectTimeoutMs ?? 5000,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new NatsConnectError(`cannot connect to NATS at ${redactUrl(options.url)}: ${why}`, { cause: err });
  }
  options.log('info', `connected to NATS at ${nc.getServer()} as ${options.name}`);
  states.set(nc, { connected: true, reconnects: 0 });
  logStatus(nc, options.log).catch((err: unknown) => options.log('error', `NATS status watch failed: ${String(err)}`));
  return nc;
}

const INBOX_OWNER = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The inbox prefix of NATS user `owner`: `_INBOX_<owner>`. Every node and client connects with
 * the prefix of its own NATS user (nats.js `inboxPrefix`), and deploy/nats/accounts.conf lets each
 * user subscribe only to `_INBOX_<user>.>`, so no one else's replies can be read (NATS's
 * private-inbox pattern: one user per client application).
 *
 * @throws NatsConnectError when `owner` is not 1-64 of [A-Za-z0-9_-] (it must be one subject token)
 * @example inboxPrefixFor('api') // '_INBOX_api'
 */
export function inboxPrefixFor(owner: string): string {
  if (!INBOX_OWNER.test(owner)) throw new NatsConnectError(`NATS user ${JSON.stringify(owner)} cannot name an inbox prefix: use 1-64 of [A-Za-z0-9_-]`);
  return `_INBOX_${owner}`;
}

/**
 * The server list of a comma-separated URL; blanks are ignored.
 *
 * @throws NatsConnectError when no server is named.
 */
export function parseServers(url: string): string[] {
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw new NatsConnectError(`no NATS server in URL '${url}'`);
  return servers;
}

/** The URL with any `user:password@` removed, safe for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@,]*@/g, '//***@');
}

async function logStatus(nc: NatsConnection, log: NatsLog): Promise<void> {
  const state = states.get(nc);
  void nc.closed().then((err) => {
    if (state) state.connected = false;
    log(err ? 'error' : 'info', `NATS connection closed${err ? `: ${err.message}` : ''}`);
  });
  for await (const s of nc.status()) {
    if (state && s.type === Events.Disconnect) state.connected = false;
    if (state && s.type === Events.Reconnect) {
      state.connected = true;
      state.reconnects += 1;
    }
    const level = statusLevel(s);
    if (level) log(level, `NATS ${s.type}: ${typeof s.data === 'object' ? JSON.stringify(s.data) : String(s.data)}`);
  }
}

// Ping timers fire every interval and reconnect attempts every 250 ms: debug, not noise.
function statusLevel(s: Status): 'debug' | 'info' | 'warn' | 'error' | null {
  switch (s.type) {
    case DebugEvents.PingTimer:
      return null;
    case DebugEvents.Reconnecting:
      return 'debug';
    case Events.Disconnect:
    case DebugEvents.StaleConnection:
    case Events.LDM:
      return 'warn';
    case Events.Error:
      return 'error';
    default:
      return 'info';
  }
}
