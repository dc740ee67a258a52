import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Kysely, sql } from 'kysely';
import { stopNodeProcesses } from '../cluster/node-process';
import { CREDENTIALS_PROJECTION } from '../auth/credentials-projection';
import { openBulkLoader } from '../infra/mysql/bulk-loader';
import { type Database, createKysely } from '../infra/mysql/database';
import { guardFilePath } from '../infra/mysql/node-identity';
import { SNAPSHOT_TABLES } from '../infra/mysql/snapshot-tables';
import { createMigratedDatabase } from '../infra/mysql/snapshot-target';
import { askNodeStatus } from '../node/cluster-nodes';
import type { ClusterStatus } from '../node/cluster-status';
import { ProjectionRebuild, READ_MODELS, readModelDb, setCheckpoint } from '../projections';
import { type LoadResult, runLoad } from './load';
import { type Phase, type StepNote, type WindowFigures, type WriteSample, errorKind, phasesOf, ratePerSecond, windowFigures } from './membership-figures';
import { type BenchCluster, dropDatabases, startBenchCluster } from './our-cluster';
import { sleep } from './poll';
import { writeSyntheticChosenLog } from './synthetic-chosen-log';

/** How the membership benchmark runs. */
export interface MembershipBenchSettings {
  /** Events in the founding members' log. */
  readonly events: number;
  readonly commandsPerSlot: number;
  /** Seconds of writes measured before the replacement. */
  readonly writeSeconds: number;
  /** Writes outstanding at once (log.append). */
  readonly inFlight: number;
}

/** How the founding members' log was made. */
export interface MembershipSetup {
  readonly events: number;
  readonly slots: number;
  readonly commands: number;
  readonly students: number;
  readonly commandsPerSlot: number;
  readonly generateSeconds: number;
  readonly rebuildSeconds: number;
  readonly copySeconds: number;
  /** From starting n1..n3 until each reports every slot applied and a leader leads. */
  readonly clusterReadySeconds: number;
}

/** One learner added and caught up; seconds are from `cluster:add-node` issued. */
export interface CatchUpRun {
  readonly command: string;
  /** From starting the node's process until it answers its status subject. */
  readonly nodeStartSeconds: number;
  /** The learner's applied slot and log position when it was added. */
  readonly fromSlot: number;
  readonly fromPosition: number;
  /** The leader's chosen slot and log position when it was added. */
  readonly leaderSlot: number;
  readonly leaderPosition: number;
  readonly inForceSeconds: number;
  readonly leaderReportsCaughtUpSeconds: number;
  readonly appliedEqualsLeaderSeconds: number;
  /** The learner's applied slot and log position when it equalled the leader's. */
  readonly appliedSlot: number;
  readonly appliedPosition: number;
  /** Slots and events the learner applied from its add to then, and their rates. */
  readonly slots: number;
  readonly events: number;
  readonly slotsPerSecond: number;
  readonly eventsPerSecond: number;
  /** The learner's applied slot every few seconds: [seconds, slot]. */
  readonly progress: readonly (readonly [number, number])[];
}

/** A learner caught up from a backup of n1 restored as its database. */
export interface SnapshotCatchUp {
  readonly backup: { readonly command: string; readonly seconds: number; readonly fileBytes: number; readonly chosenWatermark: number; readonly eventPosition: number };
  readonly restore: { readonly command: string; readonly seconds: number; readonly rows: number };
  readonly catchUp: CatchUpRun;
  /** Backup, restore, the node's start and its catch-up to the leader's applied slot. */
  readonly totalSeconds: number;
}

/** Writes before and during `cluster:replace-node` (one load throughout, in windows). */
export interface ReplacementRun {
  readonly command: string;
  readonly inFlight: number;
  /** The leader and its ballot before the command and after it (another ballot: an election in between). */
  readonly leaderBefore: string;
  readonly leaderAfter: string;
  /** The command's run, from its start to its exit. */
  readonly seconds: number;
  /** Why the command failed (its exit and last lines), or null when it replaced the node. */
  readonly failed: string | null;
  /** `writeSeconds` of writes to the founding members. */
  readonly before: WindowFigures;
  /** While the new node starts and runs a few seconds, before the command (it is not a member yet). */
  readonly nextStarting: WindowFigures;
  /** From the command's start to its exit. */
  readonly during: WindowFigures;
  /** The command's phases (ms from its start) and the writes of each. */
  readonly phases: readonly (Phase & { readonly writes: WindowFigures })[];
  /** The whole load, every window together. */
  readonly load: LoadFigures;
  /** The errors the writes got, by kind (the first few kinds), and how many of each. */
  readonly errors: Readonly<Record<string, number>>;
  readonly votersAfter: readonly string[];
}

/** Writes of one run of the load. */
export type LoadFigures = Pick<LoadResult, 'ops' | 'errors' | 'seconds' | 'opsPerSec' | 'p50Ms' | 'p99Ms' | 'maxMs'>;

/** What `--only membership` measured. */
export interface MembershipBenchResult {
  readonly settings: MembershipBenchSettings;
  readonly setup: MembershipSetup;
  readonly fromLog: CatchUpRun;
  readonly fromSnapshot: SnapshotCatchUp;
  /** n4 started on an empty database, copying a peer's snapshot by itself (SNAPSHOT_CATCHUP_MIN_SLOTS), then added. */
  readonly fromPeerSnapshot: CatchUpRun;
  readonly replacement: ReplacementRun;
}

const FOUNDERS = ['n1', 'n2', 'n3'];
const STATUS_TIMEOUT_MS = 2000;
const POLL_MS = 250;
const PROGRESS_EVERY_MS = 10_000;
/** How long a node may take to start and answer its status subject (a restored one loads the whole log's ids). */
const NODE_START_MS = 600_000;
const WARMUP_WRITES = 200;
/** Seconds the new node runs, not a member yet, before `cluster:replace-node`. */
const NOT_MEMBER_SECONDS = 5;
const ERROR_KINDS_MAX = 10;
const PAYLOAD = Buffer.from(JSON.stringify({ stream: 'bench', data: 'x'.repeat(160) }));

/**
 * Membership changes on a 3-node cluster whose log holds `settings.events` events: a learner
 * (n4) added and caught up from the log alone (an empty database, the copy at start turned off),
 * then from a backup of n1 restored as its database, then from the snapshot it copies from a
 * peer by itself at start; then writes for `writeSeconds` and during `cluster:replace-node n3
 * n5` (n5 on an empty database, so it copies a peer snapshot at start when the log is longer
 * than SNAPSHOT_CATCHUP_MIN_SLOTS). Every change is made with the operator's CLI on the real
 * node processes.
 */
export async function benchMembership(mysqlUrl: string, natsUrl: string, settings: MembershipBenchSettings, out: (line: string) => void): Promise<MembershipBenchResult> {
  const catchUpTimeoutMs = Math.max(600_000, settings.events * 2);
  let prepared: Omit<MembershipSetup, 'clusterReadySeconds'> | null = null;
  let preparedAt = 0;
  // What the next node started gets besides the cluster's settings.
  let spawnEnv: Record<string, string> = {};
  const cluster = await startBenchCluster(mysqlUrl, natsUrl, () => spawnEnv, {
    spares: ['n4', 'n5'],
    leaderWaitMs: NODE_START_MS,
    prepare: async (databaseOf) => {
      prepared = await prepareLog(mysqlUrl, databaseOf, settings, out);
      preparedAt = performance.now();
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'behavior-bench-membership-'));
  try {
    const ctx = new Context(cluster, mysqlUrl, natsUrl, out);
    const ready = await ctx.waitUntil('n1..n3 have applied every slot', NODE_START_MS, async () => {
      const statuses = await Promise.all(FOUNDERS.map((id) => ctx.status(id)));
      const leader = statuses.find((s): s is ClusterStatus => s?.role === 'leader');
      return leader !== undefined && statuses.every((s) => s !== null && s.appliedSlot >= leader.appliedSlot);
    });
    const made = prepared as Omit<MembershipSetup, 'clusterReadySeconds'> | null;
    if (made === null) throw new Error('the log was not prepared');
    const setup: MembershipSetup = { ...made, clusterReadySeconds: ready - preparedAt / 1000 };
    out(`membership: cluster ${cluster.name} ready, ${setup.events} events in ${setup.slots} slots`);

    out('membership (a): n4 from the log alone (an empty database, SNAPSHOT_CATCHUP_MIN_SLOTS=0)');
    spawnEnv = { SNAPSHOT_CATCHUP_MIN_SLOTS: '0' };
    const fromLog = await ctx.addLearner('n4', catchUpTimeoutMs);
    spawnEnv = {};
    await ctx.removeLearner('n4');

    out('membership (b): n4 from a backup of n1');
    const file = join(dir, 'n1.ndjson.gz');
    const backupCommand = `backup --node n1 --out ${file}`;
    const backupRun = await ctx.cli([...backupCommand.split(' '), '--json'], catchUpTimeoutMs);
    const backupJson = JSON.parse(backupRun.stdout) as { fileBytes: number; chosenWatermark: number; eventPosition: number };
    out(`  $ npm run cli -- ${backupCommand}: ${backupRun.seconds.toFixed(1)} s, ${mb(statSync(file).size)} MB`);
    const restoreCommand = `restore --node n4 --from ${file}`;
    const restoreRun = await ctx.cli([...restoreCommand.split(' '), '--json'], catchUpTimeoutMs);
    const restoreJson = JSON.parse(restoreRun.stdout) as { rows: number };
    out(`  $ npm run cli -- ${restoreCommand}: ${restoreRun.seconds.toFixed(1)} s, ${restoreJson.rows} rows`);
    const restored = await ctx.addLearner('n4', catchUpTimeoutMs);
    await ctx.removeLearner('n4');
    rmSync(file, { force: true });
    const fromSnapshot: SnapshotCatchUp = {
      backup: { command: `npm run cli -- ${backupCommand}`, seconds: backupRun.seconds, fileBytes: backupJson.fileBytes, chosenWatermark: backupJson.chosenWatermark, eventPosition: backupJson.eventPosition },
      restore: { command: `npm run cli -- ${restoreCommand}`, seconds: restoreRun.seconds, rows: restoreJson.rows },
      catchUp: restored,
      totalSeconds: backupRun.seconds + restoreRun.seconds + restored.nodeStartSeconds + restored.appliedEqualsLeaderSeconds,
    };

    out('membership (c): n4 on an empty database copies a peer snapshot by itself at start (SNAPSHOT_CATCHUP_MIN_SLOTS=1)');
    spawnEnv = { SNAPSHOT_CATCHUP_MIN_SLOTS: '1' };
    const fromPeerSnapshot = await ctx.addLearner('n4', catchUpTimeoutMs);
    spawnEnv = {};
    await ctx.removeLearner('n4');

    out(`membership: writes (log.append, ${settings.inFlight} in flight) for ${settings.writeSeconds} s, then during a replacement of n3 by n5 (an empty database)`);
    const replacement = await ctx.replace('n3', 'n5', settings, catchUpTimeoutMs);
    return { settings, setup, fromLog, fromSnapshot, fromPeerSnapshot, replacement };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Fills n1's database with the log (as n1 would have applied it), rebuilds its read models,
 * then copies every table a snapshot holds into n2's and n3's databases: three founding members
 * with the same chosen log, events and read models, each with an acceptor state and identity of
 * its own (empty; taken at the first start).
 */
async function prepareLog(mysqlUrl: string, databaseOf: (id: string) => string, settings: MembershipBenchSettings, out: (line: string) => void): Promise<Omit<MembershipSetup, 'clusterReadySeconds'>> {
  const source = databaseOf('n1');
  await createMigratedDatabase(mysqlUrl, source);
  const db = createKysely(mysqlUrl, source, 8);
  const students = Math.max(1, Math.min(10_000, Math.floor(settings.events / 100)));
  try {
    out(`membership: writing a chosen log of ${settings.events} events (${students} students, ${settings.commandsPerSlot} command(s) per slot) into ${source}`);
    const generating = performance.now();
    let lastLine = generating;
    const written = await writeSyntheticChosenLog(db, { events: settings.events, students, commandsPerSlot: settings.commandsPerSlot }, (w) => {
      if (performance.now() - lastLine < PROGRESS_EVERY_MS) return;
      lastLine = performance.now();
      const seconds = (lastLine - generating) / 1000;
      out(`  ${w.events} events, slot ${w.slots}, ${ratePerSecond(w.events, seconds)} events/s`);
    });
    const generateSeconds = (performance.now() - generating) / 1000;
    out(`membership: log written in ${generateSeconds.toFixed(1)} s (${ratePerSecond(written.events, generateSeconds)} events/s); rebuilding the read models`);
    const rebuilding = performance.now();
    await rebuildReadModels(db, mysqlUrl, source, written.events);
    const rebuildSeconds = (performance.now() - rebuilding) / 1000;
    out(`membership: read models rebuilt in ${rebuildSeconds.toFixed(1)} s; copying to n2 and n3`);
    const copying = performance.now();
    for (const id of ['n2', 'n3']) await copyNodeTables(db, mysqlUrl, source, databaseOf(id));
    const copySeconds = (performance.now() - copying) / 1000;
    out(`membership: copied in ${copySeconds.toFixed(1)} s; starting n1..n3`);
    return { ...written, students, commandsPerSlot: settings.commandsPerSlot, generateSeconds, rebuildSeconds, copySeconds };
  } finally {
    await db.destroy();
  }
}

/**
 * The read models of the log up to `head`, built by `projections:rebuild`'s engine as on a node
 * that caught up. The synthetic log holds no user events, so the credentials projection's
 * checkpoint is at the head too.
 */
async function rebuildReadModels(db: Kysely<Database>, mysqlUrl: string, database: string, head: number): Promise<void> {
  const rm = readModelDb(db);
  await setCheckpoint(rm, READ_MODELS.name, head);
  await setCheckpoint(rm, CREDENTIALS_PROJECTION, head);
  const bulkLoader = await openBulkLoader(mysqlUrl, database);
  try {
    await new ProjectionRebuild(rm, { bulkLoader }).run();
  } finally {
    await bulkLoader?.close();
  }
}

/** Copies every table a snapshot holds from `source` into `target` (created and migrated here, so empty). */
async function copyNodeTables(db: Kysely<Database>, mysqlUrl: string, source: string, target: string): Promise<void> {
  await createMigratedDatabase(mysqlUrl, target);
  for (const table of SNAPSHOT_TABLES) {
    await sql`INSERT INTO ${sql.id(target, table)} SELECT * FROM ${sql.id(source, table)}`.execute(db);
  }
}

/** A CLI run: what it printed, how long it took, and its progress notes as they came. */
interface CliRun {
  /** Why it did not exit 0 (only when the caller let it fail), else null. */
  readonly failed: string | null;
  readonly stdout: string;
  readonly seconds: number;
  /** performance.now() when it was started and when it ended. */
  readonly startedMs: number;
  readonly endedMs: number;
  readonly notes: readonly StepNote[];
}

/** The running cluster and what the steps share. */
class Context {
  private readonly members = new Set(FOUNDERS);

  constructor(
    private readonly cluster: BenchCluster,
    private readonly mysqlUrl: string,
    private readonly natsUrl: string,
    private readonly out: (line: string) => void,
  ) {}

  /** A node's own status over NATS, or null when it does not answer. */
  async status(id: string): Promise<ClusterStatus | null> {
    const answer = await askNodeStatus(this.cluster.nats, this.cluster.name, this.cluster.name, id, STATUS_TIMEOUT_MS);
    return answer.reachable ? answer.status : null;
  }

  /** The status of the member that leads (with the highest ballot, should two say so), or null. */
  async leader(): Promise<ClusterStatus | null> {
    const statuses = await Promise.all([...this.members].map((id) => this.status(id)));
    let leader: ClusterStatus | null = null;
    for (const s of statuses) if (s?.role === 'leader' && (leader === null || s.ballot > leader.ballot)) leader = s;
    return leader;
  }

  /** Polls `probe` every POLL_MS until it holds; returns the seconds (performance.now() / 1000) when it did. */
  async waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (let attempt = 0; attempt < Math.ceil(timeoutMs / POLL_MS) + 1; attempt++) {
      if (await probe()) return performance.now() / 1000;
      if (performance.now() > deadline) break;
      await sleep(POLL_MS);
    }
    throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
  }

  /**
   * Runs `npm run cli -- <args>` (dist/cli/main.js) against this cluster; throws unless it exits 0
   * (or, with `mayFail`, says why in `failed`). With --json, each JSON progress line on stderr is
   * a note, timed as it arrives.
   */
  cli(args: readonly string[], timeoutMs: number, mayFail = false): Promise<CliRun> {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      CLUSTER_NODES: FOUNDERS.join(','),
      CLUSTER_NAME: this.cluster.name,
      API_SUBJECT_PREFIX: this.cluster.name,
      NATS_URL: this.natsUrl,
      MYSQL_URL: this.mysqlUrl,
      ...Object.fromEntries(['n1', 'n2', 'n3', 'n4', 'n5'].map((id) => [`MYSQL_DATABASE_${id.toUpperCase()}`, this.cluster.databaseOf(id)])),
    };
    const started = performance.now();
    const child = spawn(process.execPath, ['--max-semi-space-size=64', join(__dirname, '..', 'cli', 'main.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const stderr: string[] = [];
    const notes: StepNote[] = [];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (stderr.length < 1000) stderr.push(line);
      try {
        const note = JSON.parse(line) as { step?: unknown; state?: unknown };
        if (typeof note.step === 'string') notes.push({ atMs: performance.now(), step: note.step, ...(typeof note.state === 'string' ? { state: note.state } : {}) });
      } catch {
        // a line of text: kept for the error message only
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    return new Promise((resolve, reject) => {
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const ended = performance.now();
        const seconds = (ended - started) / 1000;
        const run = { failed: null, stdout, seconds, notes, startedMs: started, endedMs: ended };
        if (code === 0) return resolve(run);
        const why = `npm run cli -- ${args.join(' ')}: exit ${code ?? signal} after ${seconds.toFixed(1)} s: ${stderr.slice(-3).join(' | ')}`;
        if (mayFail) return resolve({ ...run, failed: why });
        reject(new Error(`${why} ${stdout.slice(0, 500)}`));
      });
    });
  }

  /** Starts node `id` (on whatever its database holds) and waits until it answers its status subject. */
  private async startNode(id: string): Promise<number> {
    const started = performance.now();
    const node = this.cluster.spawn(id);
    await this.waitUntil(`${id} answers its status`, NODE_START_MS, async () => {
      if (node.child.exitCode !== null) throw new Error(`${id} exited (${node.child.exitCode}): ${node.lastError}`);
      return (await this.status(id)) !== null;
    });
    return (performance.now() - started) / 1000;
  }

  /**
   * Starts `id`, adds it as a learner, and times from the command until the leader reports it
   * caught up and until its applied slot reaches the leader's.
   */
  async addLearner(id: string, timeoutMs: number): Promise<CatchUpRun> {
    const nodeStartSeconds = await this.startNode(id);
    const own = await this.status(id);
    const leader = await this.leader();
    if (own === null || leader === null) throw new Error(`no status from ${own === null ? id : 'the leader'}`);
    this.out(`  ${id} started in ${nodeStartSeconds.toFixed(1)} s at slot ${own.appliedSlot}; the leader ${leader.nodeId} is at slot ${leader.chosenSlot}, log position ${leader.logPosition}`);
    const command = `cluster:add-node ${id} --learner`;
    const issued = performance.now();
    const run = await this.cli([...command.split(' '), '--json'], timeoutMs);
    const inForceSeconds = run.seconds;
    this.out(`  $ npm run cli -- ${command}: in force after ${inForceSeconds.toFixed(1)} s`);
    this.members.add(id);
    let caughtUpAt: number | null = null;
    let appliedAt: number | null = null;
    let appliedSlot = 0;
    let appliedPosition = 0;
    let lastNote = issued;
    const progress: [number, number][] = [];
    await this.waitUntil(`${id} caught up`, timeoutMs, async () => {
      const lead = await this.leader();
      const self = await this.status(id);
      const now = performance.now();
      if (lead === null) return false;
      if (caughtUpAt === null && lead.members.find((m) => m.nodeId === id)?.caughtUp === true) caughtUpAt = now;
      if (self !== null && appliedAt === null && self.appliedSlot >= lead.appliedSlot) {
        appliedAt = now;
        appliedSlot = self.appliedSlot;
        appliedPosition = self.logPosition;
      }
      if (self !== null && now - lastNote >= PROGRESS_EVERY_MS) {
        lastNote = now;
        const seconds = (now - issued) / 1000;
        progress.push([Math.round(seconds * 10) / 10, self.appliedSlot]);
        this.out(`  ${id}: slot ${self.appliedSlot} of ${lead.chosenSlot} after ${seconds.toFixed(0)} s (${ratePerSecond(self.appliedSlot - own.appliedSlot, seconds)} slots/s)`);
      }
      return caughtUpAt !== null && appliedAt !== null;
    });
    const at = (t: number | null) => ((t ?? issued) - issued) / 1000;
    const applied = at(appliedAt);
    const slots = appliedSlot - own.appliedSlot;
    const events = appliedPosition - own.logPosition;
    const result: CatchUpRun = {
      command: `npm run cli -- ${command}`,
      nodeStartSeconds,
      fromSlot: own.appliedSlot,
      fromPosition: own.logPosition,
      leaderSlot: leader.chosenSlot,
      leaderPosition: leader.logPosition,
      inForceSeconds,
      leaderReportsCaughtUpSeconds: at(caughtUpAt),
      appliedEqualsLeaderSeconds: applied,
      appliedSlot,
      appliedPosition,
      slots,
      events,
      slotsPerSecond: ratePerSecond(slots, applied),
      eventsPerSecond: ratePerSecond(events, applied),
      progress,
    };
    this.out(
      `  leader reports ${id} caught up after ${result.leaderReportsCaughtUpSeconds.toFixed(1)} s; ${id}'s applied slot equals the leader's (${appliedSlot}) after ${applied.toFixed(1)} s ` +
        `(${slots} slots, ${events} events: ${result.slotsPerSecond} slots/s, ${result.eventsPerSecond} events/s)`,
    );
    return result;
  }

  /** Removes learner `id`, stops it, and drops its database and guard file (the next run of it starts afresh). */
  async removeLearner(id: string): Promise<void> {
    await this.cli(['cluster:remove-node', id], 120_000);
    this.members.delete(id);
    await stopNodeProcesses(this.cluster.spawned.filter((n) => n.id === id));
    await dropDatabases(this.mysqlUrl, [this.cluster.databaseOf(id)]);
    const guard = guardFilePath(this.cluster.guardDir, this.cluster.name, id);
    if (existsSync(guard)) rmSync(guard);
  }

  /**
   * One closed-loop load of writes throughout: `writeSeconds` on the founding members alone, then
   * while `next` starts (on an empty database), then during `cluster:replace-node <old> <next>`.
   */
  async replace(old: string, next: string, settings: MembershipBenchSettings, timeoutMs: number): Promise<ReplacementRun> {
    await runLoad({ inFlight: settings.inFlight, total: WARMUP_WRITES, send: () => this.cluster.append(PAYLOAD) });
    const samples: WriteSample[] = [];
    const errors = new Map<string, number>();
    const send = async () => {
      const sent = performance.now();
      try {
        await this.cluster.append(PAYLOAD);
        samples.push({ endMs: performance.now(), latencyMs: performance.now() - sent });
      } catch (error) {
        samples.push({ endMs: performance.now(), latencyMs: performance.now() - sent, failed: true });
        const kind = errorKind(error instanceof Error ? error.message : String(error));
        if (errors.has(kind) || errors.size < ERROR_KINDS_MAX) errors.set(kind, (errors.get(kind) ?? 0) + 1);
        throw error;
      }
    };
    const stop = new AbortController();
    const origin = performance.now();
    const load = runLoad({ inFlight: settings.inFlight, durationMs: settings.writeSeconds * 1000 + NODE_START_MS + timeoutMs + 60_000, signal: stop.signal, send });
    const command = `cluster:replace-node ${old} ${next}`;
    let beforeEnd = origin;
    let leaderBefore = 'none';
    let run: CliRun;
    try {
      await sleep(settings.writeSeconds * 1000);
      beforeEnd = performance.now();
      await this.startNode(next);
      // An operator sees the node up, then adds it.
      await sleep(NOT_MEMBER_SECONDS * 1000);
      const lead = await this.leader();
      leaderBefore = lead ? `${lead.nodeId} (ballot ${lead.ballot})` : 'none';
      // A failed replacement is reported with the writes up to it (the other figures stand).
      run = await this.cli([...command.split(' '), '--json', '--timeout', String(timeoutMs)], timeoutMs + 60_000, true);
    } finally {
      stop.abort();
    }
    const whole = await load;
    if (run.failed === null) {
      this.members.delete(old);
      this.members.add(next);
    }
    const after = await this.leader();
    const voters = after?.configuration.voters ?? [];
    const leaderAfter = after ? `${after.nodeId} (ballot ${after.ballot})` : 'none';
    const before = windowFigures(samples, origin, beforeEnd);
    const starting = windowFigures(samples, beforeEnd, run.startedMs);
    const during = windowFigures(samples, run.startedMs, run.endedMs);
    const phases = phasesOf(run.notes, run.startedMs, run.endedMs).map((p) => ({ ...p, writes: windowFigures(samples, p.fromMs, p.toMs) }));
    this.out(`  before the replacement (${before.seconds.toFixed(1)} s, n1..n3): ${describeWindow(before)}`);
    this.out(`  while ${next} starts and runs ${NOT_MEMBER_SECONDS} s, not a member yet (${starting.seconds.toFixed(1)} s): ${describeWindow(starting)}`);
    if (run.failed !== null) this.out(`  failed: ${run.failed}`);
    this.out(`  $ npm run cli -- ${command}: ${run.failed === null ? 'took' : 'failed after'} ${run.seconds.toFixed(1)} s (${phases.map((p) => `${p.name} ${((p.toMs - p.fromMs) / 1000).toFixed(1)} s`).join(', ')}); leader before: ${leaderBefore}, after: ${leaderAfter}; voters after: ${voters.join(', ')}`);
    this.out(`  during it (${during.seconds.toFixed(1)} s): ${describeWindow(during)}`);
    for (const p of phases) this.out(`    ${p.name} (${p.writes.seconds.toFixed(1)} s): ${describeWindow(p.writes)}`);
    for (const [kind, count] of errors) this.out(`  ${count} x ${kind}`);
    return {
      command: `npm run cli -- ${command}`,
      inFlight: settings.inFlight,
      leaderBefore,
      leaderAfter,
      seconds: run.seconds,
      failed: run.failed,
      before,
      nextStarting: starting,
      during,
      phases: phases.map((p) => ({ ...p, fromMs: Math.round(p.fromMs - run.startedMs), toMs: Math.round(p.toMs - run.startedMs) })),
      load: loadFigures(whole),
      errors: Object.fromEntries(errors),
      votersAfter: voters,
    };
  }
}

function loadFigures(r: LoadResult): LoadFigures {
  return { ops: r.ops, errors: r.errors, seconds: r.seconds, opsPerSec: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, maxMs: r.maxMs };
}

/** `812 writes/s, p50 18.2 ms, p99 60.1 ms (16240 writes, 0 errors)`; `-` for a percentile of no writes. */
export function describeWindow(w: WindowFigures): string {
  const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-');
  return `${Math.round(w.writesPerSecond)} writes/s, p50 ${ms(w.p50Ms)}, p99 ${ms(w.p99Ms)} (${w.writes} writes, ${w.errors} errors)`;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}
