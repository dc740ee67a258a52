import { LOCAL_ADMIN, type NodeProcess, localAdminEnv, startNodeProcess, stopNodeProcesses, waitForLeader } from './node-process';

/**
 * `npm run cluster`: starts nodes n1..n3 as child processes on the local MySQL and NATS (env
 * overrides pass through), HTTP on 3001..3003, prints who leads and the URLs, and stops every
 * child on Ctrl+C or as soon as one of them cannot start.
 */
const NODES = (process.env.CLUSTER_NODES ?? 'n1,n2,n3').split(',');
const BASE_PORT = Number(process.env.CLUSTER_BASE_PORT ?? 3001);
const LEADER_WAIT_MS = 30_000;
/** How long `npm run cluster` waits, once a leader is known, for every node to report its HTTP port. */
const PORT_WAIT_MS = 10_000;
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function printLine(node: NodeProcess, line: string, entry: Record<string, unknown> | null): void {
  if (!entry) return void process.stdout.write(`[${node.id}] ${line}\n`);
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  process.stdout.write(`[${node.id}] ${time} ${LEVELS[entry.level as number] ?? entry.level} ${String(entry.msg ?? '')}\n`);
}

async function main(): Promise<void> {
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopNodeProcesses(nodes);
    process.exit(code);
  };
  const onExit = (node: NodeProcess, code: number | null) => {
    if (stopping) return;
    process.stderr.write(`cluster: node ${node.id} exited (code ${code})${node.lastError ? `: ${node.lastError}` : ''}; stopping the others\n`);
    void stopAll(1);
  };
  const nodes = NODES.map((id, i) =>
    startNodeProcess({
      id,
      env: { ...localAdminEnv(), CLUSTER_NODES: NODES.join(','), HTTP_PORT: String(BASE_PORT + i), HTTP_PORT_RANGE: process.env.HTTP_PORT_RANGE ?? '20' },
      onLine: printLine,
      onExit,
    }),
  );
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const leader = await waitForLeader(nodes, LEADER_WAIT_MS);
  if (stopping) return;
  if (!leader) {
    process.stderr.write(`cluster: no leader within ${LEADER_WAIT_MS / 1000} s; stopping\n`);
    return stopAll(1);
  }
  // A node may elect a leader before another has logged the port it took: wait for every port (bounded).
  for (let i = 0; i < PORT_WAIT_MS / 50 && nodes.some((n) => n.port === null) && !stopping; i++) await new Promise((r) => setTimeout(r, 50));
  process.stdout.write(`\ncluster ready: leader ${leader}\n`);
  for (const n of nodes) {
    const url = n.port === null ? '(still starting: see its log for the port)' : `http://127.0.0.1:${n.port}`;
    process.stdout.write(`  ${n.id}: ${url}  (status: /api/cluster/status, docs: /api/docs)\n`);
  }
  process.stdout.write(`admin: ${LOCAL_ADMIN.username} / ${LOCAL_ADMIN.password} (set ADMIN_USERNAME / ADMIN_PASSWORD to choose)\n`);
  process.stdout.write('Ctrl+C stops all nodes.\n\n');
}

void main();
