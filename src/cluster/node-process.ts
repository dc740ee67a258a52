import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A node running as a child process of `npm run cluster` or the benchmark. */
export interface NodeProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** The HTTP port the node reported taking, once it did. */
  port: number | null;
  /** The last line the node wrote to stderr (its start-up error, when it fails). */
  lastError: string;
}

/** Options of one node process; `env` is added to this process's environment. */
export interface NodeProcessOptions {
  id: string;
  env: Record<string, string>;
  /** Each log line the node writes, parsed when it is JSON. */
  onLine?: (node: NodeProcess, line: string, entry: Record<string, unknown> | null) => void;
  onExit?: (node: NodeProcess, code: number | null) => void;
}

/** Starts `dist/main.js` as a child with JSON logs, and tracks the HTTP port it reports. */
export function startNodeProcess(options: NodeProcessOptions): NodeProcess {
  const env = { ...process.env, ...options.env, NODE_ID: options.id, LOG_FORMAT: 'json' };
  const child = spawn(process.execPath, [join(__dirname, '..', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const node: NodeProcess = { id: options.id, child, port: null, lastError: '' };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const entry = parseJson(line);
    if (typeof entry?.port === 'number') node.port = entry.port;
    options.onLine?.(node, line, entry);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    node.lastError = line;
    options.onLine?.(node, line, null);
  });
  child.on('exit', (code) => options.onExit?.(node, code));
  return node;
}

/** Polls the nodes' status until one names a leader, or `timeoutMs` passes. */
export async function waitForLeader(nodes: readonly NodeProcess[], timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const node of nodes) {
      if (node.port === null) continue;
      try {
        const response = await fetch(`http://127.0.0.1:${node.port}/api/cluster/status`);
        const status = (await response.json()) as { leaderId: string | null };
        if (status.leaderId) return status.leaderId;
      } catch {
        // not serving yet
      }
    }
    await new Promise((r) => setTimeout(r, 200));
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
