import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `npm run cluster`: starts nodes n1..n3 as child processes on the local MySQL and NATS (env
 * overrides pass through), HTTP on 3001..3003, prints who leads and the URLs, and stops every
 * child on Ctrl+C or as soon as one of them cannot start.
 */
const NODES = (process.env.CLUSTER_NODES ?? 'n1,n2,n3').split(',');
const BASE_PORT = Number(process.env.CLUSTER_BASE_PORT ?? 3001);
const LEADER_WAIT_MS = 30_000;

interface Child {
  id: string;
  process: ChildProcess;
  port: number | null;
}

function startNode(id: string, index: number, onExit: (id: string, code: number | null, lastError: string) => void): Child {
  const env = {
    ...process.env,
    NODE_ID: id,
    CLUSTER_NODES: NODES.join(','),
    HTTP_PORT: String(BASE_PORT + index),
    HTTP_PORT_RANGE: process.env.HTTP_PORT_RANGE ?? '20',
    LOG_FORMAT: 'json',
  };
  const child: Child = { id, process: spawn(process.execPath, [join(__dirname, '..', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] }), port: null };
  let lastError = '';
  createInterface({ input: child.process.stdout! }).on('line', (line) => {
    const entry = parseLine(line);
    if (entry?.port !== undefined && typeof entry.port === 'number') child.port = entry.port;
    process.stdout.write(`[${id}] ${entry ? formatEntry(entry) : line}\n`);
  });
  createInterface({ input: child.process.stderr! }).on('line', (line) => {
    lastError = line;
    process.stderr.write(`[${id}] ${line}\n`);
  });
  child.process.on('exit', (code) => onExit(id, code, lastError));
  return child;
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function formatEntry(entry: Record<string, unknown>): string {
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  return `${time} ${LEVELS[entry.level as number] ?? entry.level} ${String(entry.msg ?? '')}`;
}

async function waitForLeader(children: Child[]): Promise<{ leaderId: string } | null> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  while (Date.now() < deadline) {
    for (const child of children) {
      if (child.port === null) continue;
      try {
        const response = await fetch(`http://127.0.0.1:${child.port}/api/cluster/status`);
        const status = (await response.json()) as { leaderId: string | null };
        if (status.leaderId) return { leaderId: status.leaderId };
      } catch {
        // not up yet
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

async function main(): Promise<void> {
  let stopping = false;
  const children: Child[] = [];
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.process.kill('SIGTERM');
    setTimeout(() => process.exit(code), 3000).unref();
    Promise.all(children.map((c) => new Promise((r) => (c.process.exitCode !== null ? r(null) : c.process.once('exit', r))))).then(() => process.exit(code));
  };
  const onExit = (id: string, code: number | null, lastError: string) => {
    if (stopping) return;
    process.stderr.write(`cluster: node ${id} exited (code ${code})${lastError ? `: ${lastError}` : ''}; stopping the others\n`);
    stopAll(1);
  };
  NODES.forEach((id, i) => children.push(startNode(id, i, onExit)));
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  const leader = await waitForLeader(children);
  if (stopping) return;
  if (!leader) {
    process.stderr.write(`cluster: no leader within ${LEADER_WAIT_MS / 1000} s; stopping\n`);
    return stopAll(1);
  }
  process.stdout.write(`\ncluster ready: leader ${leader.leaderId}\n`);
  for (const c of children) process.stdout.write(`  ${c.id}: http://127.0.0.1:${c.port}  (status: /api/cluster/status, docs: /api/docs)\n`);
  process.stdout.write('Ctrl+C stops all nodes.\n\n');
}

void main();
