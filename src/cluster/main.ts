import { randomBytes } from 'node:crypto';
import { type SupervisorEnv, supervisorEnvOf } from '../config/tool-env';
import { LOCAL_ADMIN, type NodeProcess, isReady, localAdminEnv, startNodeProcess, stopNodeProcesses, waitForLeader } from './node-process';
import { RestartPolicy, describeExit } from './restart-policy';

/**
 * `npm run cluster [-- --no-restart]`: starts nodes n1..n3 as child processes on the local MySQL
 * and NATS (env overrides pass through), HTTP on 3001..3003, prints who leads and the URLs, and
 * supervises them: a node that exits is reported (exit code or signal, its last error line) and
 * started again after a short pause, so it rejoins and catches up; after repeated failed starts
 * the supervisor gives up on it and says so. `--no-restart` leaves a node that exited down (to
 * see the cluster without a quorum). Ctrl+C (SIGINT) or SIGTERM stops every node.
 *
 * Env of its own (docs/configuration.md): CLUSTER_NODES (n1,n2,n3), CLUSTER_BASE_PORT (3001),
 * CLUSTER_DATABASE_PREFIX (behavior: node n1 uses database behavior_n1), HTTP_PORT_RANGE (20).
 * Without JWT_SECRET or JWT_SECRETS it generates a random secret for the run and gives it to every node.
 */
const ENV = settingsOrExit();
const NODES = ENV.CLUSTER_NODES;
const BASE_PORT = ENV.CLUSTER_BASE_PORT;
const DATABASE_PREFIX = ENV.CLUSTER_DATABASE_PREFIX;
const NO_RESTART = process.argv.includes('--no-restart');
const LEADER_WAIT_MS = 30_000;
/** How long `npm run cluster` waits, once a leader is known, for every node to report its HTTP port. */
const PORT_WAIT_MS = 10_000;
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One supervised node: its current process (null while it waits for a restart or is down). */
interface Slot {
  readonly id: string;
  readonly env: Record<string, string>;
  readonly policy: RestartPolicy;
  node: NodeProcess | null;
  /** Whether the current process reported serving HTTP. */
  served: boolean;
  restartTimer: NodeJS.Timeout | null;
  /** True once the supervisor no longer restarts it (gave up, or --no-restart). */
  down: boolean;
}

function say(line: string): void {
  process.stdout.write(`cluster: ${line}\n`);
}

function printLine(node: NodeProcess, line: string, entry: Record<string, unknown> | null): void {
  if (!entry) return void process.stdout.write(`[${node.id}] ${line}\n`);
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  process.stdout.write(`[${node.id}] ${time} ${LEVELS[entry.level as number] ?? entry.level} ${String(entry.msg ?? '')}\n`);
}

/** The supervisor's settings; a bad one ends it at once, naming the variable. */
function settingsOrExit(): SupervisorEnv {
  try {
    return supervisorEnvOf(process.env);
  } catch (error) {
    process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    return process.exit(1);
  }
}

/** JWT_SECRET or JWT_SECRETS when set (the nodes read them); else a random 32-byte secret for this run (tokens do not outlive it). */
function jwtSecret(): Record<string, string> {
  if (ENV.JWT_SECRET !== undefined || ENV.JWT_SECRETS !== undefined) return {};
  say('JWT_SECRET is not set: generated a random 32-byte secret for this run (tokens end with the run; set JWT_SECRET to keep them)');
  return { JWT_SECRET: randomBytes(32).toString('hex') };
}

async function main(): Promise<void> {
  let stopping = false;
  const secret = jwtSecret();
  const slots: Slot[] = NODES.map((id, i) => ({
    id,
    env: {
      ...localAdminEnv(),
      ...secret,
      CLUSTER_NODES: NODES.join(','),
      MYSQL_DATABASE: `${DATABASE_PREFIX}_${id}`,
      HTTP_PORT: String(BASE_PORT + i),
      HTTP_PORT_RANGE: String(ENV.HTTP_PORT_RANGE),
    },
    policy: new RestartPolicy(),
    node: null,
    served: false,
    restartTimer: null,
    down: false,
  }));

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const slot of slots) if (slot.restartTimer) clearTimeout(slot.restartTimer);
    await stopNodeProcesses(slots.flatMap((s) => (s.node ? [s.node] : [])));
    process.exit(code);
  };

  const start = (slot: Slot) => {
    slot.restartTimer = null;
    slot.served = false;
    slot.node = startNodeProcess({
      id: slot.id,
      env: slot.env,
      onLine: (node, line, entry) => {
        printLine(node, line, entry);
        if (node.port !== null && !slot.served && slot.node === node) {
          slot.served = true;
          say(`${node.id} (pid ${node.child.pid}) serves http://127.0.0.1:${node.port}`);
        }
      },
      onExit: (node, code, signal) => onExit(slot, node, code, signal),
    });
    say(`started ${slot.id} (pid ${slot.node.child.pid})`);
  };

  const onExit = (slot: Slot, node: NodeProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping || slot.node !== node) return;
    slot.node = null;
    process.stderr.write(`cluster: node ${node.id} (pid ${node.child.pid}) exited: ${describeExit(code, signal, node.lastError)}\n`);
    if (NO_RESTART) {
      slot.down = true;
      say(`${node.id} stays down (--no-restart); the others keep running`);
    } else {
      const decision = slot.policy.afterExit(slot.served);
      if (decision.restart) {
        say(`restarting ${node.id} in ${decision.delayMs} ms`);
        slot.restartTimer = setTimeout(() => {
          if (!stopping) start(slot);
        }, decision.delayMs);
      } else {
        slot.down = true;
        process.stderr.write(`cluster: giving up on ${node.id}: it failed to start ${decision.failedStarts} times in a row (see its last error above)\n`);
      }
    }
    if (slots.every((s) => s.down)) {
      process.stderr.write('cluster: no node is left running; stopping\n');
      void stopAll(1);
    }
  };

  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const slot of slots) start(slot);
  const current = () => slots.flatMap((s) => (s.node ? [s.node] : []));
  // Nodes that cannot start are given up on (and when none is left the supervisor stops), so
  // waiting for a leader needs no deadline of its own; it only says that it is still waiting.
  let leader: string | null = null;
  for (let waited = 0; leader === null && !stopping; waited += LEADER_WAIT_MS) {
    if (waited > 0) process.stderr.write(`cluster: no leader after ${waited / 1000} s; still waiting (the nodes' errors are above)\n`);
    leader = await waitForLeader(current, LEADER_WAIT_MS);
  }
  if (stopping || leader === null) return;
  // A node may elect a leader before another has logged the port it took: wait for every port (bounded).
  for (let i = 0; i < PORT_WAIT_MS / 50 && current().some((n) => n.port === null) && !stopping; i++) await new Promise((r) => setTimeout(r, 50));
  // Then for each to be ready (the bootstrap admin applied there, so a login works at once), bounded.
  for (let i = 0; i < PORT_WAIT_MS / 200 && !stopping; i++) {
    const ready = await Promise.all(current().map((n) => (n.port === null ? false : isReady(n.port))));
    if (ready.every(Boolean)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  process.stdout.write(`\ncluster ready: leader ${leader}\n`);
  for (const slot of slots) {
    const n = slot.node;
    const url = n === null ? '(restarting)' : n.port === null ? '(still starting: see its log for the port)' : `http://127.0.0.1:${n.port}`;
    process.stdout.write(`  ${slot.id}: ${url}  pid ${n?.child.pid ?? '-'}  (status: /api/cluster/status, docs: /api/docs)\n`);
  }
  process.stdout.write(`admin: ${LOCAL_ADMIN.username} / ${LOCAL_ADMIN.password} (set ADMIN_USERNAME / ADMIN_PASSWORD to choose)\n`);
  process.stdout.write(
    NO_RESTART
      ? 'A node that exits stays down (--no-restart). Ctrl+C stops all nodes.\n\n'
      : 'Kill a node (kill -9 <pid>) and it comes back in a second and catches up. Ctrl+C stops all nodes.\n\n',
  );
}

void main();
