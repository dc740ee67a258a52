import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchMembershipEnvOf, benchServersOf } from '../config/tool-env';
import { benchJetStream } from './jetstream';
import { CpuMeter, pidsOf } from './cpu';
import { type MariadbFloor, benchBareRound, benchMariadbFloor } from './floor';
import { type LoadResult, runLoad } from './load';
import { startNatsCluster } from './nats-cluster';
import { type BenchCluster, startBenchCluster } from './our-cluster';
import { type BenchRow, printTable, writeResults } from './report';
import { benchRebuild } from './rebuild-bench';
import { benchSagas } from './saga-bench';
import { measureIdle } from './idle';
import { createConnection } from 'mysql2/promise';
import { parseMysqlUrl } from '../infra/mysql/mysql-url';
import { RESULTS_DIR } from './report';
import { formatTargets, targetRatios } from './targets';
import { REVIEW_QUEUE_USABLE_BUDGET_MS, benchReviewQueue } from './review-queue-bench';
import { LOGIN_JS_GZIP_BUDGET_BYTES, loginPageJs } from './web-bench';
import { benchRestart } from './restart-bench';
import { type StoredPerCommand, storedPerCommand } from './stored-bytes';
import { type MembershipBenchResult, benchMembership, describeWindow } from './membership-bench';

/** The scenarios `--only` selects. */
const SCENARIOS = ['log-append', 'rebuild', 'sagas', 'idle', 'web', 'restart', 'membership'];

/**
 * `npm run bench [-- --quick] [--only log-append|rebuild|sagas|idle|web|restart|membership]`: proposals of 200 bytes through a local 3-node cluster over NATS
 * at 1, 64 and 512 in flight (committed and applied), then the same load published to a
 * JetStream R3 file stream on a 3-server NATS cluster started here. Prints a table, the CPU
 * each component used, and writes JSON under bench/results/.
 */
const PAYLOAD_BYTES = 200;

type Row = BenchRow & { cpu: Record<string, number>; extra?: Record<string, unknown> };

interface Level {
  inFlight: number;
  total: number;
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && !SCENARIOS.includes(only)) throw new Error(`--only takes ${SCENARIOS.slice(0, -1).join(', ')} or ${SCENARIOS[SCENARIOS.length - 1]}, got ${only}`);
  const membershipEnv = benchMembershipEnvOf(process.env);
  if (only === undefined || only === 'idle') await benchIdle(quick);
  const appended = only === undefined || only === 'log-append' ? await benchLogAppend(quick) : null;
  const rebuilt = only === undefined || only === 'rebuild' ? await benchRebuildRate(quick) : null;
  if (appended) reportTargets(appended, rebuilt ?? latestRebuild());
  if (only === undefined || only === 'sagas') await benchSagaRuns(quick);
  if (only === undefined || only === 'web') await benchWeb(quick);
  if (only === undefined || only === 'restart') await benchRestarts(quick);
  if (only === undefined || only === 'membership') {
    await benchMembershipChanges({
      events: membershipEnv.BENCH_MEMBERSHIP_EVENTS ?? (quick ? 100_000 : 1_000_000),
      commandsPerSlot: membershipEnv.BENCH_MEMBERSHIP_COMMANDS_PER_SLOT,
      inFlight: membershipEnv.BENCH_MEMBERSHIP_IN_FLIGHT,
      writeSeconds: quick ? 10 : 20,
      quick,
    });
  }
}

/**
 * Membership changes on a 3-node cluster holding 1,000,000 events (100,000 with --quick;
 * BENCH_MEMBERSHIP_EVENTS): a learner caught up from the log alone and from a restored backup,
 * and writes for 20 s (10 s with --quick) before and during `cluster:replace-node n3 n5`.
 */
async function benchMembershipChanges(settings: Parameters<typeof benchMembership>[2] & { quick: boolean }): Promise<void> {
  const { mysqlUrl, natsUrl } = benchServersOf(process.env);
  const { quick, ...rest } = settings;
  const result = await benchMembership(mysqlUrl, natsUrl, rest, (line) => process.stdout.write(`${line}\n`));
  const path = writeResults('membership', { quick, ...result });
  process.stdout.write(`\n${formatMembership(result)}results: ${path}\n`);
}

/** The membership figures, each with the command that produced it. */
function formatMembership(r: MembershipBenchResult): string {
  const s = (seconds: number) => `${seconds.toFixed(1)} s`;
  const catchUp = (c: MembershipBenchResult['fromLog'], indent: string) =>
    `${indent}$ ${c.command}\n` +
    `${indent}  in force after ${s(c.inForceSeconds)}; the leader reports it caught up after ${s(c.leaderReportsCaughtUpSeconds)}; ` +
    `its applied slot equals the leader's (${c.appliedSlot}) after ${s(c.appliedEqualsLeaderSeconds)}\n` +
    `${indent}  from slot ${c.fromSlot} (the leader at ${c.leaderSlot}): ${c.slots} slots and ${c.events} events applied, ${c.slotsPerSecond} slots/s, ${c.eventsPerSecond} events/s (the node started in ${s(c.nodeStartSeconds)} before)\n`;
  const { setup, fromSnapshot: snap, replacement: rep } = r;
  return (
    `membership: a 3-node cluster holding ${setup.events} events in ${setup.slots} slots (${setup.commandsPerSlot} command(s) per slot, ${setup.students} students)\n` +
    `  set up in ${s(setup.generateSeconds + setup.rebuildSeconds + setup.copySeconds)} (log ${s(setup.generateSeconds)}, read models ${s(setup.rebuildSeconds)}, copies ${s(setup.copySeconds)}); cluster ready ${s(setup.clusterReadySeconds)} after its start\n` +
    `(a) n4 added as a learner from the log alone (an empty database):\n${catchUp(r.fromLog, '  ')}` +
    `(b) n4 added as a learner from a snapshot of n1:\n` +
    `  $ ${snap.backup.command}\n    ${s(snap.backup.seconds)}, ${(snap.backup.fileBytes / 1e6).toFixed(0)} MB, up to slot ${snap.backup.chosenWatermark}\n` +
    `  $ ${snap.restore.command}\n    ${s(snap.restore.seconds)}, ${snap.restore.rows} rows\n` +
    catchUp(snap.catchUp, '  ') +
    `  backup + restore + start + catch-up: ${s(snap.totalSeconds)}\n` +
    `(c) n4 added as a learner after copying a peer's snapshot by itself at start (its start includes the copy and the restore):\n${catchUp(r.fromPeerSnapshot, '  ')}` +
    `  start + catch-up: ${s(r.fromPeerSnapshot.nodeStartSeconds + r.fromPeerSnapshot.appliedEqualsLeaderSeconds)}\n` +
    `writes (log.append, ${rep.inFlight} in flight):\n` +
    `  before the replacement (${s(rep.before.seconds)}): ${describeWindow(rep.before)}\n` +
    `  while n5 starts and runs, not a member yet (${s(rep.nextStarting.seconds)}): ${describeWindow(rep.nextStarting)}\n` +
    `  $ ${rep.command}\n    ${rep.failed === null ? 'took' : 'FAILED after'} ${s(rep.seconds)} (leader before: ${rep.leaderBefore}, after: ${rep.leaderAfter}; voters after: ${rep.votersAfter.join(', ')})\n` +
    (rep.failed === null ? '' : `    ${rep.failed}\n`) +
    `  during it (${s(rep.during.seconds)}): ${describeWindow(rep.during)}\n` +
    rep.phases.map((p) => `    ${p.name} (${s(p.writes.seconds)}): ${describeWindow(p.writes)}\n`).join('') +
    Object.entries(rep.errors).map(([kind, count]) => `  ${count} x ${kind}\n`).join('')
  );
}

/** The web app: JavaScript the login page loads (gzip), and navigation to a usable review queue of 500 pending applications in headless Chromium. */
async function benchWeb(quick: boolean): Promise<void> {
  const dist = resolve(__dirname, '..', '..', 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: run "npm run build" first`);
  const loginJs = loginPageJs(dist);
  const kB = (bytes: number) => (bytes / 1024).toFixed(1);
  process.stdout.write(`login page JavaScript: ${kB(loginJs.bytes)} kB, ${kB(loginJs.gzipBytes)} kB gzip (budget ${kB(LOGIN_JS_GZIP_BUDGET_BYTES)} kB)\n`);
  const { mysqlUrl, natsUrl } = benchServersOf(process.env);
  const queue = await benchReviewQueue(mysqlUrl, natsUrl, (line) => process.stdout.write(`${line}\n`), 500, quick ? 2 : 5);
  const path = writeResults('web', {
    quick,
    loginJs: { ...loginJs, budgetGzipBytes: LOGIN_JS_GZIP_BUDGET_BYTES, withinBudget: loginJs.gzipBytes <= LOGIN_JS_GZIP_BUDGET_BYTES },
    reviewQueue: { ...queue, budgetMs: REVIEW_QUEUE_USABLE_BUDGET_MS, withinBudget: queue.medianUsableMs <= REVIEW_QUEUE_USABLE_BUDGET_MS },
  });
  process.stdout.write(
    `\nlogin page JavaScript: ${kB(loginJs.gzipBytes)} kB gzip; review queue of ${queue.pendingApplications} pending: usable ${queue.firstUsableMs} ms (first), ${queue.medianUsableMs} ms (median of ${queue.runs.length}; budget ${REVIEW_QUEUE_USABLE_BUDGET_MS} ms)\nresults: ${path}\n`,
  );
}

/** Seconds an idle cluster settles before it is measured, and how long it is measured. */
const IDLE_SETTLE_SECONDS = 5;
const IDLE_SECONDS = 30;

/** A 3-node cluster doing nothing for 30 s (10 s with --quick): CPU and wakeups of each node. */
async function benchIdle(quick: boolean): Promise<void> {
  const { mysqlUrl, natsUrl } = benchServersOf(process.env);
  const ours = await startBenchCluster(mysqlUrl, natsUrl);
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_SECONDS * 1000));
    const seconds = quick ? 10 : IDLE_SECONDS;
    const nodes = await measureIdle(ours.nodes.map((n) => ({ id: n.id, pid: n.child.pid ?? 0 })), seconds);
    const totalCores = Math.round(nodes.reduce((t, n) => t + n.cores, 0) * 1000) / 1000;
    for (const n of nodes) process.stdout.write(`idle ${n.nodeId}: ${n.cores} cores, ${n.wakeupsPerSecond} wakeups/s\n`);
    process.stdout.write(`idle cluster: ${totalCores} cores over ${seconds} s\n`);
    const path = writeResults('idle', { quick, seconds, nodes, totalCores });
    process.stdout.write(`results: ${path}\n`);
  } finally {
    await ours.stop();
  }
}

/**
 * A node's restart on a log of 10,000,000 events, half of them applications' (1,000,000 with
 * --quick): seconds to ready and RSS while serving writes, with and without snapshots. Targets:
 * ready within 10 s, RSS at most 300 MB.
 */
async function benchRestarts(quick: boolean): Promise<void> {
  const { mysqlUrl } = benchServersOf(process.env);
  const result = await benchRestart(mysqlUrl, quick ? 1_000_000 : 10_000_000, quick ? 5 : 10, (line) => process.stdout.write(`${line}\n`));
  const path = writeResults('restart', { quick, ...result });
  const line = (name: string, r: typeof result.withSnapshots) =>
    'failed' in r ? `${name}: failed (${r.failed})` : `${name}: ready in ${r.readySeconds.toFixed(2)} s, RSS serving writes ${r.servingPeakRssMb} MB`;
  process.stdout.write(
    `\nrestart on ${result.events} events (targets: ready <= ${result.targets.readySecondsMax} s, RSS <= ${result.targets.servingRssMbMax} MB)\n` +
      `${line('  with snapshots', result.withSnapshots)}\n${line('  without snapshots', result.withoutSnapshots)}\nresults: ${path}\n`,
  );
}

/** A 5,000-student batch and a 2,000-student archive (1,000 and 400 with --quick). */
async function benchSagaRuns(quick: boolean): Promise<void> {
  const { mysqlUrl, natsUrl } = benchServersOf(process.env);
  const result = await benchSagas(mysqlUrl, natsUrl, (line) => process.stdout.write(`${line}\n`), quick ? 1000 : 5000, quick ? 400 : 2000);
  const path = writeResults('sagas', { quick, ...result });
  process.stdout.write(
    `\nbatch of ${result.batch.students} students: ${result.batch.seconds.toFixed(2)} s; archive of ${result.archive.students} students: ${result.archive.seconds.toFixed(2)} s\nresults: ${path}\n`,
  );
}

/** The projections:rebuild engine over a log of 1,000,000 events (100,000 with --quick). */
async function benchRebuildRate(quick: boolean): Promise<RebuildRates> {
  const { mysqlUrl } = benchServersOf(process.env);
  const events = quick ? 100_000 : 1_000_000;
  const result = await benchRebuild(mysqlUrl, events, quick ? 50_000 : 200_000, (line) => process.stdout.write(`${line}\n`));
  const path = writeResults('rebuild', { quick, ...result });
  process.stdout.write(`\nrebuild of ${result.events} events: ${result.rebuild.eventsPerSecond} events/s (live projector: ${result.liveProjector?.eventsPerSecond ?? '-'} events/s)\nresults: ${path}\n`);
  return { rebuild: result.rebuild.eventsPerSecond, live: result.liveProjector?.eventsPerSecond ?? null, source: 'this run' };
}

/** Rates of projection rebuild and of the live projector, and where they come from. */
interface RebuildRates {
  readonly rebuild: number | null;
  readonly live: number | null;
  readonly source: string;
}

/** The rates of the last `--only rebuild` run (bench/results/rebuild-latest.json), when there is one. */
function latestRebuild(): RebuildRates | null {
  const path = join(RESULTS_DIR, 'rebuild-latest.json');
  if (!existsSync(path)) return null;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { rebuild?: { eventsPerSecond?: number }; liveProjector?: { eventsPerSecond?: number } | null };
  return { rebuild: saved.rebuild?.eventsPerSecond ?? null, live: saved.liveProjector?.eventsPerSecond ?? null, source: path };
}

/** What the log-append part measured, for the targets and its JSON. */
interface AppendRun {
  readonly quick: boolean;
  readonly rows: Row[];
  readonly mariadbFloor: MariadbFloor;
  readonly oursMicrosPerOpAt512: Record<string, number> | null;
  readonly cpuMicrosPerOpAt1: Record<string, Record<string, number>>;
  /** What node n1 stored per applied command once the runs were over (log appends and REST writes). */
  readonly storedPerCommand: StoredPerCommand | null;
}

/** Prints every target ratio of the write path and writes them, with the runs, to the log-append JSON. */
function reportTargets(run: AppendRun, rebuild: RebuildRates | null): void {
  const targets = targetRatios({
    rows: run.rows,
    mariadbFloorMicros: run.mariadbFloor.mariadbMicrosPerOp,
    rebuildEventsPerSecond: rebuild?.rebuild ?? null,
    liveProjectorEventsPerSecond: rebuild?.live ?? null,
    nodes: 3,
  });
  process.stdout.write(`\nTargets (ratios to this run's floors${rebuild && rebuild.source !== 'this run' ? `; projection rates from ${rebuild.source}` : ''}):\n${formatTargets(targets)}\n`);
  for (const row of run.rows.filter((r) => r.extra)) process.stdout.write(`  per slot, ${row.system} @${row.inFlight}: ${JSON.stringify(row.extra)}\n`);
  const path = writeResults('log-append', { payloadBytes: PAYLOAD_BYTES, ...run, rebuildRates: rebuild, targets });
  process.stdout.write(`\nresults: ${path}\n`);
}

/** Proposals through our cluster and JetStream at 1, 64 and 512 in flight; `scores.modify` over REST. */
async function benchLogAppend(quick: boolean): Promise<AppendRun> {
  const levels: Level[] = quick
    ? [{ inFlight: 1, total: 300 }, { inFlight: 64, total: 3000 }, { inFlight: 512, total: 6000 }]
    : [{ inFlight: 1, total: 2000 }, { inFlight: 64, total: 20_000 }, { inFlight: 512, total: 40_000 }];
  const { mysqlUrl, natsUrl } = benchServersOf(process.env);
  const rows: Row[] = [];

  // The floors of this machine first, on a quiet machine: what any such write path pays here.
  const bare = await benchBareRound(mysqlUrl, natsUrl, recordOf(PAYLOAD_BYTES), levels[0].total);
  rows.push({ system: 'bare round (floor)', ...pick(bare), inFlight: 1, cpu: {} });
  process.stdout.write(`bare round in flight 1: ${Math.round(bare.opsPerSec)} ops/s, p50 ${bare.p50Ms.toFixed(2)} ms\n`);
  const mariadbFloor: MariadbFloor = await benchMariadbFloor(mysqlUrl, PAYLOAD_BYTES, quick ? 100 : 600);

  const ours = await startBenchCluster(mysqlUrl, natsUrl);
  let stored: StoredPerCommand | null = null;
  const meter = new CpuMeter(() => ({
    nodes: ours.nodes.map((n) => n.child.pid ?? 0),
    mariadbd: pidsOf('mariadbd|mysqld'),
    'nats-server': pidsOf('nats-server -a 127.0.0.1 -p 4222'),
  }));
  try {
    for (const level of levels) {
      const before = await countersOf(ours, mysqlUrl);
      const payload = recordOf(PAYLOAD_BYTES);
      meter.begin();
      const result = await runLoad({ inFlight: level.inFlight, total: level.total, warmup: Math.min(200, level.total / 10), send: () => ours.append(payload) });
      const cpu = meter.end(result.seconds);
      const after = await countersOf(ours, mysqlUrl);
      rows.push({ system: 'behavior (Paxos, fsync)', ...pick(result), inFlight: level.inFlight, cpu, extra: perSlot(before, after) });
      process.stdout.write(`behavior  in flight ${level.inFlight}: ${Math.round(result.opsPerSec)} ops/s, p50 ${result.p50Ms.toFixed(2)} ms, errors ${result.errors}\n`);
    }
    await benchScoresModify(ours, quick, rows, meter, mysqlUrl);
    // Measured while the databases are there (a stop drops them), after the runs.
    stored = await storedPerCommand(mysqlUrl, ours.databaseOf('n1')).catch((error: unknown) => {
      process.stdout.write(`stored bytes per command not measured: ${error instanceof Error ? error.message : String(error)}\n`);
      return null;
    });
  } finally {
    await ours.stop();
  }
  if (stored) process.stdout.write(`stored per command on n1 (${stored.commands} commands): values ${JSON.stringify(stored.valueBytes)} bytes, InnoDB pages ${JSON.stringify(stored.diskBytes)} bytes\n`);

  const jetstream = await startNatsCluster();
  const jsMeter = new CpuMeter(() => ({ 'nats-server (3)': [...jetstream.pids] }));
  try {
    for (const level of levels) {
      jsMeter.begin();
      const result = await benchJetStream({ urls: jetstream.urls, inFlight: level.inFlight, total: level.total, payloadBytes: PAYLOAD_BYTES });
      rows.push({ system: 'jetstream', ...pick(result), inFlight: level.inFlight, cpu: jsMeter.end(result.seconds) });
      process.stdout.write(`jetstream in flight ${level.inFlight}: ${Math.round(result.opsPerSec)} ops/s, p50 ${result.p50Ms.toFixed(2)} ms\n`);
    }
  } finally {
    await jetstream.stop();
  }

  process.stdout.write('\n');
  printTable(rows);
  process.stdout.write('\nCPU used during each run (1.0 = one core of 2):\n');
  for (const row of rows.filter((r) => Object.keys(r.cpu).length > 0)) process.stdout.write(`  ${row.system} @${row.inFlight}: ${JSON.stringify(row.cpu)}${row.extra ? ` ${JSON.stringify(row.extra)}` : ''}\n`);
  const ours512 = rows.find((r) => r.system.startsWith('behavior') && r.inFlight === 512);
  const oursPerOp = ours512 ? cpuMicrosPerOp(ours512) : null;
  process.stdout.write(
    `\nMariaDB floor: ${mariadbFloor.mariadbMicrosPerOp.toFixed(0)} us of mariadbd CPU per write when each of 3 nodes only stores an accept and log rows` +
      (oursPerOp ? `; ours at 512 in flight: ${JSON.stringify(oursPerOp)} us per write\n` : '\n'),
  );
  const cpuMicrosPerOpAt1 = Object.fromEntries(rows.filter((r) => r.inFlight === 1 && Object.keys(r.cpu).length > 0).map((r) => [r.system, cpuMicrosPerOp(r)]));
  process.stdout.write(`CPU per write at 1 in flight (us): ${JSON.stringify(cpuMicrosPerOpAt1)}\n`);
  return { quick, rows, mariadbFloor, oursMicrosPerOpAt512: oursPerOp, cpuMicrosPerOpAt1, storedPerCommand: stored };
}

const STUDENTS = 64;

/**
 * `POST /api/scores/modify` through the whole stack (HTTP, auth, validation, forwarding to the
 * leader, decide, Paxos, apply): 64 students, +1 and -1 in turn so every score stays in range.
 */
async function benchScoresModify(cluster: BenchCluster, quick: boolean, rows: Row[], meter: CpuMeter, mysqlUrl: string): Promise<void> {
  for (let i = 0; i < STUDENTS; i++) {
    await cluster.post('/api/students', { studentId: `bench-${i}`, name: `Student ${i}`, className: 'bench' });
  }
  for (const inFlight of [1, 64]) {
    const total = quick ? 300 : inFlight === 1 ? 1000 : 5000;
    const before = await countersOf(cluster, mysqlUrl);
    meter.begin();
    const result = await runLoad({
      inFlight,
      total,
      warmup: 50,
      send: (i) => cluster.post('/api/scores/modify', { studentId: `bench-${i % STUDENTS}`, delta: Math.floor(i / STUDENTS) % 2 === 0 ? 1 : -1, reason: 'bench' }).then(() => undefined),
    });
    const cpu = meter.end(result.seconds);
    rows.push({ system: 'scores.modify (REST, full stack)', ...pick(result), inFlight, cpu, extra: perSlot(before, await countersOf(cluster, mysqlUrl)) });
    process.stdout.write(`scores.modify in flight ${inFlight}: ${Math.round(result.opsPerSec)} ops/s, p50 ${result.p50Ms.toFixed(2)} ms, errors ${result.errors}\n`);
  }
}

/** CPU microseconds per committed write, by component, of one row. */
function cpuMicrosPerOp(row: Row): Record<string, number> {
  const perOp = (cores: number) => Math.round((cores * 1e6) / row.opsPerSec);
  return Object.fromEntries(Object.entries(row.cpu).map(([name, cores]) => [name, perOp(cores)]));
}

/** A record whose JSON body is `bytes` long. */
function recordOf(bytes: number): Uint8Array {
  const skeleton = JSON.stringify({ stream: 'bench', data: '' });
  return Buffer.from(JSON.stringify({ stream: 'bench', data: 'x'.repeat(bytes - skeleton.length) }));
}

function pick(r: LoadResult): Omit<BenchRow, 'system' | 'inFlight'> & { errors: number; seconds: number } {
  return { ops: r.ops, opsPerSec: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, seconds: r.seconds };
}

/** The nodes' statuses and MySQL's global commit counters at one moment. */
interface Counters {
  readonly statuses: Record<string, unknown>[];
  readonly comCommit: number;
  readonly handlerCommit: number;
}

async function countersOf(cluster: BenchCluster, mysqlUrl: string): Promise<Counters> {
  const statuses = await cluster.status();
  const connection = await createConnection({ ...parseMysqlUrl(mysqlUrl), database: undefined });
  try {
    const [rows] = await connection.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit', 'Handler_commit')");
    const value = (name: string) => Number((rows as { Variable_name: string; Value: string }[]).find((r) => r.Variable_name === name)?.Value ?? 0);
    return { statuses, comCommit: value('Com_commit'), handlerCommit: value('Handler_commit') };
  } finally {
    await connection.end();
  }
}

/**
 * Commands per slot (log positions over chosen slots of the leader) and transactions per slot: as
 * the nodes count them (acceptor persists and apply transactions, all nodes) and as MySQL counts
 * them (`Com_commit`, `Handler_commit` deltas: global, so any other client of the server adds to them).
 */
function perSlot(before: Counters, after: Counters): Record<string, unknown> {
  const leaderAfter = after.statuses.find((s) => s.role === 'leader') ?? after.statuses[0];
  const leaderBefore = before.statuses.find((s) => s.nodeId === leaderAfter?.nodeId) ?? before.statuses[0];
  if (!leaderAfter || !leaderBefore) return {};
  const slots = (leaderAfter.chosenSlot as number) - (leaderBefore.chosenSlot as number);
  const positions = (leaderAfter.logPosition as number) - (leaderBefore.logPosition as number);
  const protocol = (s: Record<string, unknown>) => s.protocol as { readies: number; applies: number };
  const nodeTransactions = after.statuses.reduce((total, s) => {
    const was = before.statuses.find((b) => b.nodeId === s.nodeId);
    return was ? total + protocol(s).readies + protocol(s).applies - protocol(was).readies - protocol(was).applies : total;
  }, 0);
  const perSlotOf = (n: number) => (slots > 0 ? Math.round((n / slots) * 10) / 10 : 0);
  return {
    slots,
    commandsPerSlot: perSlotOf(positions),
    leaderTransactions: protocol(leaderAfter).readies - protocol(leaderBefore).readies,
    transactionsPerSlot: {
      nodesCounted: perSlotOf(nodeTransactions),
      mysqlComCommit: perSlotOf(after.comCommit - before.comCommit),
      mysqlHandlerCommit: perSlotOf(after.handlerCommit - before.handlerCommit),
    },
  };
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
