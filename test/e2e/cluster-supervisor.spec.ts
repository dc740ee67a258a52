/**
 * `npm run cluster` as a supervisor: the real `node dist/cluster/main.js` with its three nodes, on
 * the local MySQL and a NATS server of the test's own. Killing the leader's process leaves the
 * others serving writes, and the supervisor starts the killed node again, which catches up;
 * with `--no-restart` a killed node stays down. SIGTERM and SIGINT stop every node it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { clusterStatusOf, isReady, LOCAL_ADMIN } from '../../src/cluster/node-process';
import { findFreePort } from '../../src/bench/ports';
import { sleep } from '../../src/bench/poll';
import { ClusterDatabases, DEFAULT_MYSQL_URL, REPO_ROOT, assertDistBuilt, randomToken, report, waitFor } from './cluster-harness';
import { OwnNatsServer } from '../support/nats-server';
import { isPidAlive } from '../support/processes';

const SUPERVISOR = join(REPO_ROOT, 'dist', 'cluster', 'main.js');
const IDS = ['n1', 'n2', 'n3'];
/** Hang guards only: the machine is shared, nothing here is a timing assertion. */
const READY_TIMEOUT_MS = 120_000;
const WRITE_TIMEOUT_MS = 60_000;
const RESTART_TIMEOUT_MS = 60_000;
const CATCH_UP_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 30_000;

/** One run of the supervisor: its output, and the nodes' pids and ports it printed. */
class SupervisorRun {
  output = '';
  private constructor(
    readonly child: ChildProcess,
    readonly databases: ClusterDatabases,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(nats: OwnNatsServer, args: string[] = [], overrides: Record<string, string> = {}): Promise<SupervisorRun> {
    const token = randomToken();
    const prefix = `behavior_e2e_sup_${token}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CLUSTER_NAME: `e2esup${token}`,
      CLUSTER_DATABASE_PREFIX: prefix,
      CLUSTER_BASE_PORT: String(await findFreePort()),
      HTTP_PORT_RANGE: '20',
      NATS_URL: nats.url,
      MYSQL_URL: DEFAULT_MYSQL_URL,
      TICK_MS: '10',
      LOG_LEVEL: 'info',
      ...overrides,
    };
    delete env.JWT_SECRET; // the supervisor makes one up for the run
    const child = spawn(process.execPath, [SUPERVISOR, ...args], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    return new SupervisorRun(child, new ClusterDatabases(DEFAULT_MYSQL_URL, new Map(IDS.map((id) => [id, `${prefix}_${id}`]))));
  }

  /** Every pid the supervisor said it started, by node, in start order. */
  pids(id: string): number[] {
    return [...this.output.matchAll(new RegExp(`^cluster: started ${id} \\(pid (\\d+)\\)`, 'gm'))].map((m) => Number(m[1]));
  }

  allPids(): number[] {
    return IDS.flatMap((id) => this.pids(id));
  }

  /** The port the node's process `pid` serves, once the supervisor printed it. */
  port(id: string, pid: number): number | null {
    const match = new RegExp(`^cluster: ${id} \\(pid ${pid}\\) serves http://127\\.0\\.0\\.1:(\\d+)`, 'm').exec(this.output);
    return match ? Number(match[1]) : null;
  }

  /** The port of the node's current (latest) process. */
  currentPort(id: string): number | null {
    const pid = this.pids(id).at(-1);
    return pid === undefined ? null : this.port(id, pid);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitReady(): Promise<void> {
    await waitFor('cluster ready with every node serving', () => this.output.includes('cluster ready: leader') && IDS.every((id) => this.currentPort(id) !== null), READY_TIMEOUT_MS, 100);
  }

  /** The node every running node names as leader, with its status. */
  async leader(): Promise<{ id: string; appliedSlot: number }> {
    let leader: { id: string; appliedSlot: number } | null = null;
    await waitFor(
      'a leader',
      async () => {
        for (const id of IDS) {
          const port = this.currentPort(id);
          const status = port === null ? null : await clusterStatusOf(port);
          if (status?.role === 'leader') leader = { id, appliedSlot: Number(status.appliedSlot) };
          if (leader) return true;
        }
        return false;
      },
      READY_TIMEOUT_MS,
      200,
    );
    return leader!;
  }

  /** Sends `signal` to the supervisor and waits (bounded) for it to exit; its exit code. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.kill(signal);
    await Promise.race([exited, sleep(EXIT_TIMEOUT_MS)]);
    return this.child.exitCode;
  }

  /** Kills whatever is left (after a failed test) and drops the databases. */
  async cleanUp(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    for (const pid of this.allPids()) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
    await this.databases.dropAll();
  }

  tail(): string {
    return this.output.split('\n').slice(-60).join('\n');
  }
}

async function login(port: number): Promise<string> {
  let token = '';
  await waitFor(
    `admin login on port ${port}`,
    async () => {
      const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(LOCAL_ADMIN),
        signal: AbortSignal.timeout(5000),
      }).catch(() => null);
      if (response?.status === 200) token = ((await response.json()) as { accessToken: string }).accessToken;
      return token !== '';
    },
    WRITE_TIMEOUT_MS,
    200,
  );
  return token;
}

/** One login of the bootstrap admin on `port`: the HTTP status. */
async function loginOnce(port: number): Promise<number | null> {
  const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(LOCAL_ADMIN),
    signal: AbortSignal.timeout(10_000),
  }).catch(() => null);
  return response?.status ?? null;
}

/** POST /api/students on `port`; the HTTP status, or null when the node does not answer. */
async function registerStudent(port: number, token: string, studentId: string): Promise<number | null> {
  const response = await fetch(`http://127.0.0.1:${port}/api/students`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': `register-${studentId}` },
    body: JSON.stringify({ studentId, name: `Student ${studentId}`, className: '7a' }),
    // Short, so the figure printed shows when writes are served again; retries carry the same key.
    signal: AbortSignal.timeout(2000),
  }).catch(() => null);
  return response?.status ?? null;
}

describe('npm run cluster supervises its nodes (real processes, MySQL, NATS)', () => {
  let nats: OwnNatsServer;
  let run: SupervisorRun | null = null;

  beforeAll(async () => {
    assertDistBuilt();
    nats = await OwnNatsServer.start();
  });

  afterEach(async () => {
    await run?.cleanUp();
    run = null;
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it('given every node reports ready, then the admin logs in on each at once; given the leader is killed with SIGKILL, then the others serve writes, and the leader is restarted and catches up; SIGTERM stops every node', async () => {
    run = await SupervisorRun.start(nats);
    const r = run;
    try {
      // Ready means a login works: as soon as every node answers /health/ready 200, the bootstrap
      // admin logs in on each of them at the first attempt (probing from before the first election).
      await waitFor('every node serving HTTP', () => IDS.every((id) => r.currentPort(id) !== null), READY_TIMEOUT_MS, 50);
      const ports = IDS.map((id) => r.currentPort(id)!);
      await waitFor('every node ready', async () => (await Promise.all(ports.map(isReady))).every(Boolean), READY_TIMEOUT_MS, 50);
      const logins = await Promise.all(ports.map((port) => loginOnce(port)));
      expect(logins).toEqual([200, 200, 200]);
      // Probes that failed before the first election were not logged as errors.
      expect(r.output.split('\n').filter((line) => /^\[n\d\] \S* (ERROR|FATAL) .*health/i.test(line))).toEqual([]);
      await r.waitReady();
      expect(r.output).toContain('generated a random 32-byte secret');
      const leader = await r.leader();
      const survivors = IDS.filter((id) => id !== leader.id);
      const token = await login(r.currentPort(survivors[0])!);
      const killedPid = r.pids(leader.id).at(-1)!;

      process.kill(killedPid, 'SIGKILL');
      const killedAt = performance.now();
      let writeStatus: number | null = null;
      const answers: (number | null)[] = [];
      await waitFor(
        'a write served by the surviving nodes',
        async () => {
          writeStatus = await registerStudent(r.currentPort(survivors[answers.length % 2])!, token, 'after-kill');
          answers.push(writeStatus);
          return writeStatus === 201;
        },
        WRITE_TIMEOUT_MS,
        100,
      );
      report(`supervisor: a write was served ${Math.round(performance.now() - killedAt)} ms after the leader's SIGKILL (answers: ${answers.map((a) => a ?? 'none').join(', ')})`);
      expect(writeStatus).toBe(201);

      // The supervisor says who died and how, and starts it again.
      await waitFor(`${leader.id} restarted`, () => r.pids(leader.id).length === 2 && r.currentPort(leader.id) !== null, RESTART_TIMEOUT_MS, 100);
      expect(r.output).toContain(`cluster: node ${leader.id} (pid ${killedPid}) exited: killed by SIGKILL`);
      expect(r.pids(leader.id)[1]).not.toBe(killedPid);
      for (const id of survivors) expect(r.pids(id)).toHaveLength(1); // the others were never restarted
      expect(isPidAlive(killedPid)).toBe(false);

      // It catches up: its applied slot reaches the current leader's, which holds the write above.
      const newLeader = await r.leader();
      let applied = -1;
      await waitFor(
        `${leader.id} applying slot ${newLeader.appliedSlot}`,
        async () => {
          const status = await clusterStatusOf(r.currentPort(leader.id)!);
          applied = Number(status?.appliedSlot ?? -1);
          return applied >= newLeader.appliedSlot;
        },
        CATCH_UP_TIMEOUT_MS,
        200,
      );
      expect(applied).toBeGreaterThanOrEqual(newLeader.appliedSlot);
      report(`supervisor: ${leader.id} back and caught up ${Math.round(performance.now() - killedAt)} ms after the kill`);

      const pids = r.allPids();
      expect(await r.stop('SIGTERM')).toBe(0);
      expect(pids.filter(isPidAlive)).toEqual([]);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- supervisor output (tail) ---\n${r.tail()}`, { cause: error });
    }
  }, 400_000);

  it('given --no-restart, then a killed node stays down while the others keep running; SIGINT stops them', async () => {
    run = await SupervisorRun.start(nats, ['--no-restart']);
    const r = run;
    try {
      await r.waitReady();
      const leader = await r.leader();
      const killed = IDS.find((id) => id !== leader.id)!;
      const killedPid = r.pids(killed)[0];
      process.kill(killedPid, 'SIGKILL');
      await waitFor(`${killed} reported down`, () => r.output.includes(`${killed} stays down (--no-restart)`), RESTART_TIMEOUT_MS, 100);
      expect(r.output).toContain(`cluster: node ${killed} (pid ${killedPid}) exited: killed by SIGKILL`);
      // Longer than the restart backoff: nothing comes back.
      await sleep(5000);
      expect(r.pids(killed)).toEqual([killedPid]);
      expect(isPidAlive(killedPid)).toBe(false);
      const others = IDS.filter((id) => id !== killed).map((id) => r.pids(id)[0]);
      expect(others.filter(isPidAlive)).toEqual(others);
      expect(r.running).toBe(true);

      const pids = r.allPids();
      expect(await r.stop('SIGINT')).toBe(0);
      expect(pids.filter(isPidAlive)).toEqual([]);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- supervisor output (tail) ---\n${r.tail()}`, { cause: error });
    }
  }, 300_000);

  it('given nodes that cannot start, then it gives up on each after repeated failed starts, says so, and exits non-zero', async () => {
    run = await SupervisorRun.start(nats, [], { CLUSTER_NAME: 'not a valid name!' });
    const r = run;
    try {
      await waitFor('the supervisor to exit', () => !r.running, 180_000, 200);
      expect(r.child.exitCode).toBe(1);
      for (const id of IDS) {
        expect(r.pids(id)).toHaveLength(5);
        expect(r.output).toContain(`cluster: giving up on ${id}: it failed to start 5 times in a row`);
        expect(r.output).toMatch(new RegExp(`cluster: node ${id} \\(pid \\d+\\) exited: exit code 1; last error: .*CLUSTER_NAME`));
      }
      expect(r.allPids().filter(isPidAlive)).toEqual([]);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- supervisor output (tail) ---\n${r.tail()}`, { cause: error });
    }
  }, 240_000);
});
