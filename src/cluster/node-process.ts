import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type EnvSource, parseEnv } from '../config/env-schema';
import { LOCAL_ADMIN_ENV } from '../config/tool-env';

/** A node running as a child process of `npm run cluster` or the benchmark. */
export interface NodeProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** The HTTP port the node reported taking, once it did. */
  port: number | null;
  /** The last line the node wrote to stderr, or the message of its last error log line (its start-up error, when it fails). */
  lastError: string;
}

/** Options of one node process; `env` is added to this process's environment. */
export interface NodeProcessOptions {
  id: string;
  env: Record<string, string>;
  /** Each log line the node writes, parsed when it is JSON. */
  onLine?: (node: NodeProcess, line: string, entry: Record<string, unknown> | null) => void;
  onExit?: (node: NodeProcess, code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Starts `dist/main.js` as a child with JSON logs, and tracks the HTTP port it reports. The child
 * stops when this process ends, even when it is killed (see EXIT_WITH_PARENT in main.ts). Unless
 * the environment or `env` gives JWT_SECRET or JWT_SECRETS, every node this process starts gets
 * the same random secret (see localJwtSecret).
 */
export function startNodeProcess(options: NodeProcessOptions): NodeProcess {
  const base = { ...process.env, ...options.env };
  const secret = base.JWT_SECRET || base.JWT_SECRETS ? {} : { JWT_SECRET: localJwtSecret() };
  const env = { ...base, ...secret, NODE_ID: options.id, LOG_FORMAT: 'json', EXIT_WITH_PARENT: '1' };
  // stdin is a pipe the child watches: when this process dies, however, the node stops too.
  const child = spawn(process.execPath, [join(__dirname, '..', 'main.js')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const node: NodeProcess = { id: options.id, child, port: null, lastError: '' };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const entry = parseJson(line);
    if (typeof entry?.port === 'number') node.port = entry.port;
    if (typeof entry?.level === 'number' && entry.level >= 50) node.lastError = String(entry.msg ?? line);
    options.onLine?.(node, line, entry);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    node.lastError = line;
    options.onLine?.(node, line, null);
  });
  child.on('exit', (code, signal) => options.onExit?.(node, code, signal));
  return node;
}

/** The bootstrap admin of local clusters (`npm run cluster`, the benchmark, the e2e tests) unless the environment names one. */
export const LOCAL_ADMIN = localAdminOf(process.env);

function localAdminOf(env: EnvSource): { username: string; password: string } {
  const values = parseEnv(LOCAL_ADMIN_ENV, env);
  return { username: values.ADMIN_USERNAME, password: values.ADMIN_PASSWORD };
}

let jwtSecret: string | undefined;

/**
 * A random token-signing secret made once per process: the nodes one `npm run cluster`, benchmark
 * or test starts share it (a token works on each of them), and no two runs share one.
 */
export function localJwtSecret(): string {
  jwtSecret ??= randomBytes(48).toString('base64');
  return jwtSecret;
}

/** The environment that gives a local node its bootstrap admin. */
export function localAdminEnv(): Record<string, string> {
  return { ADMIN_USERNAME: LOCAL_ADMIN.username, ADMIN_PASSWORD: LOCAL_ADMIN.password };
}

/** Polls the nodes' public readiness until one names a leader, or `timeoutMs` passes; `nodes` may be a getter of the current processes. */
export async function waitForLeader(nodes: readonly NodeProcess[] | (() => readonly NodeProcess[]), timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const node of typeof nodes === 'function' ? nodes() : nodes) {
      if (node.port === null) continue;
      const leaderId = await leaderSeenBy(node.port);
      if (leaderId) return leaderId;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

/** The leader a node names in `/health/writable` (public) when it can take writes, or null. */
export async function leaderSeenBy(port: number): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/writable`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { leaderId?: string | null };
    return response.ok ? (body.leaderId ?? null) : null;
  } catch {
    return null;
  }
}

/** Whether the node on `port` answers `/health/ready` with 200 (it serves reads, and a login of the bootstrap admin works). */
export async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

const tokens = new Map<number, string>();

/**
 * `GET /api/cluster/status` of the node on `port`, as the local admin (logging in once per port);
 * null when the node does not answer, or the admin does not exist yet.
 */
export async function clusterStatusOf(port: number, admin = LOCAL_ADMIN): Promise<Record<string, unknown> | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let token = tokens.get(port);
    try {
      if (!token) {
        const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(admin),
          // A login runs scrypt (N = 2^17): on a loaded machine it takes seconds, and an abandoned one still costs its CPU.
          signal: AbortSignal.timeout(10_000),
        });
        if (!login.ok) return null;
        token = ((await login.json()) as { accessToken: string }).accessToken;
        tokens.set(port, token);
      }
      const response = await fetch(`http://127.0.0.1:${port}/api/cluster/status`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(1000),
      });
      if (response.status === 401) {
        tokens.delete(port);
        continue;
      }
      return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** Sends SIGTERM to every node and waits (bounded) for all to exit, then SIGKILLs the rest. */
export async function stopNodeProcesses(nodes: readonly NodeProcess[], waitMs = 5000): Promise<void> {
  const alive = nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const exited = alive.map((n) => new Promise((resolve) => n.child.once('exit', resolve)));
  for (const n of alive) n.child.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, waitMs).unref());
  await Promise.race([Promise.all(exited), timer]);
  for (const n of alive) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
}

function parseJson(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}
