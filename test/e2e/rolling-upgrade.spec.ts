import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headers as natsHeaders } from 'nats';
import { localAdminEnv } from '../../src/cluster/node-process';
import {
  DIST_MAIN,
  E2eCluster,
  REPO_ROOT,
  checkLogs,
  randomToken,
  report,
  retryPolicy,
  summarizeFailures,
  waitFor,
} from './cluster-harness';

/**
 * The release the cluster is upgraded from: the newest commit of `main` before events had schema
 * versions beyond 1 and protocol messages a version header (its nodes write every event in
 * version 1, and send no Protocol-Version). A commit of `main`, so every clone has it.
 */
const BASE_COMMIT = '565ab93265f1618004ab074281d46caa67addff3';
/** A JWT secret both releases accept (one release requires 32 bytes or more). */
const JWT_SECRET = 'rolling-upgrade-test-secret-0123456789abcdef';
const WRITES_PER_STEP = 5;
/** Bounds of the writer: only a hang reaches them. */
const WRITER_ROUNDS_MAX = 20_000;
const WRITE_PAUSE_MS = 20;
/** Restarts of the base release's leader to hand leadership to an upgraded node (each has about even odds). */
const LEADER_BOUNCES_MAX = 10;

/** Why the base release cannot be built here (a shallow clone, no git), or null when it can. */
function baseUnavailable(): string | null {
  try {
    if (execFileSync('git', ['rev-parse', '--is-shallow-repository'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() === 'true') return 'the clone is shallow';
    execFileSync('git', ['cat-file', '-e', `${BASE_COMMIT}^{commit}`], { cwd: REPO_ROOT, stdio: 'ignore' });
    return null;
  } catch (error) {
    return `git history with ${BASE_COMMIT} is not available (${(error as Error).message.split('\n')[0]})`;
  }
}

const unavailable = baseUnavailable();
if (unavailable !== null) report(`rolling upgrade test skipped: ${unavailable}`);
const describeWithHistory = unavailable === null ? describe : describe.skip;

/** The base release checked out and compiled in a throwaway worktree; returns its worktree. */
function buildBase(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'rolling-base-')), 'tree');
  execFileSync('git', ['worktree', 'add', '--detach', dir, BASE_COMMIT], { cwd: REPO_ROOT, stdio: 'ignore' });
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(dir, 'node_modules'));
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'pipe' });
  return dir;
}

function removeBase(dir: string): void {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: REPO_ROOT, stdio: 'ignore' });
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}

describeWithHistory('rolling upgrade from the previous release', () => {
  let baseDir: string | null = null;
  let cluster: E2eCluster | undefined;

  beforeAll(() => {
    baseDir = buildBase();
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    if (baseDir !== null) removeBase(baseDir);
  }, 120_000);

  /** Sequential writes that go on while nodes are replaced: a NATS append and a REST score change per round. */
  class Writer {
    readonly ackedIds = new Set<string>();
    readonly keys = new Set<string>();
    readonly failures: string[] = [];
    scoreDelta = 0;
    modifies = 0;
    /** What stopped the writer before it was told to stop (a write not acknowledged within its bound). */
    error: Error | null = null;
    private stopping = false;
    private done: Promise<void> = Promise.resolve();

    constructor(
      private readonly token: string,
      private readonly studentId: string,
      private readonly adminToken: () => string,
    ) {}

    /** Acknowledged writes so far. @throws the writer's error when it gave up */
    get acks(): number {
      if (this.error !== null) throw this.error;
      return this.ackedIds.size;
    }

    start(): void {
      this.done = this.run().catch((error: unknown) => {
        this.error = error instanceof Error ? error : new Error(String(error));
      });
    }

    async stop(): Promise<void> {
      this.stopping = true;
      await this.done;
      if (this.error !== null) throw this.error;
    }

    private async run(): Promise<void> {
      const client = await cluster!.appendClient();
      for (let round = 1; round <= WRITER_ROUNDS_MAX && !this.stopping; round++) {
        const appendKey = `ru-append-${this.token}-${round}`;
        const appended = await client.appendUntilOk(appendKey, { stream: `ru${round % 4}`, data: { key: appendKey } }, retryPolicy());
        this.ackedIds.add(appended.ack.commandId);
        this.keys.add(appendKey);
        const delta = round % 2 === 0 ? -3 : 3;
        const modifyKey = `ru-modify-${this.token}-${round}`;
        const commandId = await this.modify(modifyKey, delta);
        this.ackedIds.add(commandId);
        this.keys.add(modifyKey);
        this.scoreDelta += delta;
        this.modifies += 1;
        await new Promise((r) => setTimeout(r, WRITE_PAUSE_MS));
      }
    }

    /** POST /api/scores/modify with its key to any running node until one answers 2xx; returns the command id. */
    private async modify(key: string, delta: number): Promise<string> {
      let commandId: string | null = null;
      await waitFor(
        `score change ${key} acknowledged (${summarizeFailures(this.failures.slice(-20))})`,
        async () => {
          const alive = cluster!.aliveIds().filter((id) => cluster!.port(id) !== null);
          const id = alive[Math.floor(Math.random() * alive.length)];
          if (id === undefined) return false;
          try {
            const response = await fetch(`http://127.0.0.1:${cluster!.port(id)}/api/scores/modify`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${this.adminToken()}`, 'idempotency-key': key },
              body: JSON.stringify({ studentId: this.studentId, delta, reason: key }),
              signal: AbortSignal.timeout(15_000),
            });
            const body = (await response.json().catch(() => ({}))) as { commandId?: string; message?: string };
            if (response.status < 300 && typeof body.commandId === 'string') {
              commandId = body.commandId;
              return true;
            }
            this.failures.push(`${response.status}: ${body.message ?? ''}`.slice(0, 120));
          } catch (error) {
            this.failures.push(`${id}: ${(error as Error).message}`.slice(0, 120));
          }
          return false;
        },
        60_000,
        100,
      );
      return commandId!;
    }
  }

  async function login(): Promise<string> {
    const admin = localAdminEnv();
    let token = '';
    await waitFor(
      'admin login',
      async () => {
        const id = cluster!.aliveIds()[0];
        const response = await fetch(`http://127.0.0.1:${cluster!.port(id)}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD }),
          signal: AbortSignal.timeout(30_000),
        }).catch(() => null);
        if (response?.status !== 200) return false;
        token = String(((await response.json()) as { accessToken?: string }).accessToken ?? '');
        return token !== '';
      },
      60_000,
      250,
    );
    return token;
  }

  /** Waits until `id` has applied every slot the leader had chosen when it came back, and names the leader. */
  async function waitCaughtUp(id: string): Promise<void> {
    const leader = await cluster!.waitForLeader(60_000);
    const target = (await cluster!.status(leader))?.chosenSlot ?? 0;
    await waitFor(`${id} applying slot ${target}`, async () => {
      const status = await cluster!.status(id);
      return status !== null && status.appliedSlot >= target && status.leaderId !== null;
    }, 120_000, 200);
  }

  /** Replaces a running node by `main` with `env`; it catches up, and writes are acknowledged, before this returns. */
  async function replace(writer: Writer, id: string, main: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
    // A node of the base release that met an event it cannot read would have stopped (fail-stop).
    expect([id, cluster!.isAlive(id)]).toEqual([id, true]);
    const before = writer.acks;
    await cluster!.stopNode(id);
    cluster!.reconfigure(id, { main, env });
    await cluster!.restart(id);
    await waitCaughtUp(id);
    await waitFor(`writes acknowledged after ${id} came back`, () => writer.acks >= before + 2 * WRITES_PER_STEP, 120_000, 100);
    report(`${id} now runs ${main === DIST_MAIN ? 'this build' : 'the base release'} ${JSON.stringify(env)}; ${writer.acks} writes acknowledged`);
  }

  /**
   * Replaces every node, one at a time, by `main` with `env`: followers first, the leader last.
   * `whileMixed` runs after the first one, while nodes of both builds run.
   */
  async function rollingRestart(
    writer: Writer,
    main: string,
    env: Readonly<Record<string, string | undefined>>,
    whileMixed: (upgraded: string) => Promise<void> = async () => undefined,
  ): Promise<void> {
    const left = new Set(cluster!.ids);
    while (left.size > 0) {
      const leader = await cluster!.waitForLeader(60_000);
      const id = [...left].find((n) => n !== leader) ?? leader;
      left.delete(id);
      await replace(writer, id, main, env);
      if (left.size === cluster!.ids.length - 1) await whileMixed(id);
    }
  }

  /**
   * Leadership may move to an upgraded node while nodes of the base release still run (a leader
   * restart, a pause): bounces the base release's leader until `upgraded` leads (bounded), so the
   * base release's followers apply what a new leader writes.
   */
  async function letUpgradedLead(writer: Writer, upgraded: string, baseMain: string): Promise<void> {
    for (let bounce = 1; bounce <= LEADER_BOUNCES_MAX; bounce++) {
      const leader = await cluster!.waitForLeader(60_000);
      if (leader === upgraded) break;
      await replace(writer, leader, baseMain, {});
    }
    const leader = await cluster!.waitForLeader(60_000);
    report(`while mixed: ${leader} leads (${leader === upgraded ? 'this build' : 'the base release'})`);
    expect(leader).toBe(upgraded);
    const before = writer.acks;
    await waitFor('writes decided by the upgraded leader', () => writer.acks >= before + 4 * WRITES_PER_STEP, 120_000, 100);
    for (const id of cluster!.ids) expect([id, cluster!.isAlive(id)]).toEqual([id, true]);
  }

  it(
    'upgrades a 3-node cluster of the previous release node by node while writes go on, losing nothing',
    async () => {
      const baseMain = join(baseDir!, 'dist', 'main.js');
      cluster = await E2eCluster.start({ label: 'roll', main: baseMain, env: { JWT_SECRET, PROPOSAL_TIMEOUT_MS: '3000' } });
      await cluster.diagnose(async () => {
        await cluster!.waitForLeader(60_000);
        let adminToken = await login();
        const token = randomToken();
        const studentId = `ru-${token}`;
        await waitFor('student registered', async () => {
          const response = await fetch(`http://127.0.0.1:${cluster!.port(cluster!.aliveIds()[0])}/api/students`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}`, 'idempotency-key': `reg-${token}` },
            body: JSON.stringify({ studentId, name: 'Rolling Upgrade', className: 'ru', initialScore: 100 }),
            signal: AbortSignal.timeout(30_000),
          }).catch(() => null);
          return response !== null && response.status < 300;
        }, 60_000, 250);

        const writer = new Writer(token, studentId, () => adminToken);
        writer.start();
        await waitFor('writes on the base release', () => writer.acks >= 2 * WRITES_PER_STEP, 60_000, 100);

        // Phase 1: every node to this build, writing what the previous release reads.
        await rollingRestart(writer, DIST_MAIN, { WRITE_PREVIOUS_EVENT_SCHEMAS: '1' }, (upgraded) => letUpgradedLead(writer, upgraded, baseMain));
        for (const id of cluster!.ids) expect([id, [...(await cluster!.db.schemaVersions(id, 'ScoreModified')).keys()]]).toEqual([id, [1]]);
        adminToken = await login();

        // Phase 2: no node of the previous release is left: every node writes the current versions.
        await rollingRestart(writer, DIST_MAIN, { WRITE_PREVIOUS_EVENT_SCHEMAS: undefined });
        await writer.stop();

        await cluster!.waitForConvergence(120_000);
        const { rows } = await checkLogs(cluster!, writer.ackedIds, writer.keys);
        report(`${rows} events, ${writer.acks} acknowledged writes, ${writer.failures.length} retried attempts`);
        for (const id of cluster!.ids) {
          const versions = await cluster!.db.schemaVersions(id, 'ScoreModified');
          expect([id, [...versions.keys()].sort()]).toEqual([id, [1, 2]]);
        }

        // Every node's read model folds v1 and v2 events alike: the score is the sum of the acknowledged changes.
        const expected = 100 + writer.scoreDelta;
        for (const id of cluster!.ids) {
          await waitFor(`${id} showing score ${expected}`, async () => {
            const response = await fetch(`http://127.0.0.1:${cluster!.port(id)}/api/students/${studentId}`, {
              headers: { authorization: `Bearer ${adminToken}` },
              signal: AbortSignal.timeout(10_000),
            }).catch(() => null);
            return response?.status === 200 && ((await response.json()) as { score?: number }).score === expected;
          }, 60_000, 250);
        }

        // A protocol message of a version this build does not read is dropped and counted, and the node goes on.
        const client = await cluster!.appendClient();
        const h = natsHeaders();
        h.set('Protocol-Version', '2');
        client.nc.publish(`paxos.${cluster!.clusterName}.n2.n1.Phase2b`, Buffer.from(JSON.stringify({ type: 'Phase2b', ballot: { round: 1, nodeId: 'n1' }, slot: 1 })), { headers: h });
        await client.flush();
        await waitFor('the version drop counted', async () => ((await cluster!.droppedMessages('n1'))?.get('version') ?? 0) >= 1, 30_000, 200);
        expect(cluster!.isAlive('n1')).toBe(true);
        expect(cluster!.logText('n1')).toMatch(/dropped protocol message \(version, 1 so far\)/);
      });
    },
    1_200_000,
  );
});
