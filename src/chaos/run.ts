import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../bench/poll';
import { seededRandom } from '../shared/random';
import { ChaosCluster, type ClusterConfiguration, hostIdsOf } from './chaos-cluster';
import { type Verdict, checkMembership, checkRun, openSagas } from './checker';
import { type FaultRecord, type OpRecord, type UnavailabilityWindow, unavailabilityWindows, writesBackAt } from './history';
import { type FaultKind, Nemesis, type PlannedFault, drawSchedule, sparesNeeded } from './nemesis';
import { takeSnapshots, waitForConvergence } from './snapshot';
import { WORKLOAD_OPS, Workload } from './workload';

/** What a chaos run does. */
export interface ChaosOptions {
  readonly seed: number;
  /** How long the nemesis runs (the power-failure schedule: how long the workload runs before the cut). */
  readonly durationMs: number;
  /** `nemesis`: the seeded schedule of faults; `power-failure`: all databases and nodes killed at once. */
  readonly schedule: 'nemesis' | 'power-failure';
  /** Fault kinds the nemesis schedule begins with (in a seeded order), e.g. the membership faults in a short run. */
  readonly leadWith?: readonly FaultKind[];
  /**
   * The nemesis goes on past `durationMs` (by at most NEMESIS_GRACE_MS) until it injected this
   * many faults: on a loaded machine a membership fault takes several times as long, and a short
   * run would meet fewer kinds than it is meant to.
   */
  readonly faultsAtLeast?: number;
  /** innodb_flush_log_at_trx_commit of every MariaDB (0 also starts the nodes with UNSAFE_DURABILITY=1). */
  readonly flushLogAtTrxCommit: 0 | 1;
  readonly ratePerSecond: number;
  readonly students: number;
  readonly resultsDir: string;
  /** Bound of the "writes served again after each heal" verdict. */
  readonly writesBackBoundMs: number;
  /** A run with fewer acknowledged operations fails: it tested nothing. */
  readonly minAcknowledged: number;
  readonly log: (line: string) => void;
}

/** A run's report (also written as report.json and report.txt). */
export interface ChaosReport {
  readonly seed: number;
  readonly schedule: ChaosOptions['schedule'];
  readonly flushLogAtTrxCommit: 0 | 1;
  readonly durationMs: number;
  readonly ops: { total: number; ok: number; failed: number; unknown: number; skippedTicks: number; byKind: Record<string, Record<string, number>>; byStatus: Record<string, number> };
  readonly faults: FaultRecord[];
  readonly unavailability: { windows: UnavailabilityWindow[]; totalMs: number; longestMs: number };
  readonly nodeExits: Record<string, string[]>;
  /** The founding members, and the configuration the leader showed at the end (null when none did). */
  readonly membership: { founding: string[]; final: ClusterConfiguration | null; compared: string[] };
  readonly converged: boolean;
  readonly convergenceStatus: string;
  readonly logVerify: { agreeUpTo: number; common: number; divergence: unknown } | null;
  readonly verdicts: Verdict[];
  readonly ok: boolean;
  readonly resultsDir: string;
}

const CONVERGENCE_TIMEOUT_MS = 90_000;
const HOSTS = 3;
/** The workload goes on this long after the last heal, so "writes back" can be measured. */
const AFTER_HEAL_MS = 5000;

/**
 * One chaos run: a fresh three-host cluster, the workload at a steady rate, the schedule, a full
 * heal, then the checker over every node's log and read models. Every process is stopped at the end.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  mkdirSync(options.resultsDir, { recursive: true });
  options.log(`chaos: seed ${options.seed}, ${options.schedule}, ${Math.round(options.durationMs / 1000)} s, innodb_flush_log_at_trx_commit=${options.flushLogAtTrxCommit}, results in ${options.resultsDir}`);
  const plan = options.schedule === 'nemesis' ? drawSchedule(seededRandom(options.seed ^ 0x5eed), options.durationMs, hostIdsOf(HOSTS), options.leadWith) : [];
  const cluster = await ChaosCluster.start({ dir: join(options.resultsDir, 'cluster'), hosts: HOSTS, flushLogAtTrxCommit: options.flushLogAtTrxCommit, spares: sparesNeeded(plan) });
  const startedAt = Date.now();
  const clock = (): number => Date.now() - startedAt;
  const random = seededRandom(options.seed);
  let workload: Workload | null = null;
  try {
    workload = await Workload.prepare(
      {
        // Per host: a node that replaces another takes its host's HTTP port and NATS server.
        rest: new Map(cluster.hosts.map((h) => [h.id, cluster.baseUrl(h.id)])),
        nats: new Map(cluster.hosts.map((h) => [h.id, h.nats.url])),
        natsApiPassword: cluster.natsPasswords.NATS_API_PASSWORD,
      },
      random, startedAt, options.students, WORKLOAD_OPS,
    );
    const workloadFrom = clock();
    workload.start(options.ratePerSecond);
    const faults = options.schedule === 'nemesis' ? await runNemesis(cluster, plan, options, clock) : await runPowerFailure(cluster, options, clock);
    await sleep(AFTER_HEAL_MS);
    const endAt = clock();
    await workload.stop();
    const { ops, skippedTicks } = workload;
    workload = null; // stopped: the finally block has nothing left to stop
    for (const fault of faults) if (fault.healedAt !== null) fault.writesBackAt = writesBackAt(ops, fault.healedAt);
    const { convergence, nodes, logVerify, final, compared } = await settle(cluster, options.log);
    const verdicts = [
      { name: 'every node converged after the heal', ok: convergence.converged, problems: convergence.converged ? [] : [convergence.last] },
      ...checkRun(ops, faults, nodes, { minAcknowledged: options.minAcknowledged, minFaults: minFaults(options), writesBackBoundMs: options.writesBackBoundMs }),
      checkMembership(faults, cluster.founding, final),
      {
        name: 'log:verify finds no divergence',
        ok: logVerify.divergence === null,
        problems: logVerify.divergence ? [`diverge at ${logVerify.divergence.position}: ${JSON.stringify(logVerify.divergence.rows)}`] : [],
      },
    ];
    const membership = { founding: [...cluster.founding], final, compared };
    const report = buildReport(options, ops, skippedTicks, faults, workloadFrom, endAt, cluster, membership, convergence, logVerify, verdicts);
    writeReport(report, ops);
    return report;
  } finally {
    if (workload) await workload.stop().catch(() => undefined);
    await cluster.stop();
  }
}

/** Faults a run must have injected: the one power failure, or one per started 30 s of nemesis. */
export function minFaults(options: Pick<ChaosOptions, 'schedule' | 'durationMs'>): number {
  return options.schedule === 'power-failure' ? 1 : Math.max(1, Math.floor(options.durationMs / 30_000));
}

/** Rounds of waiting for the sagas the leader still drives to end, before the check. */
const SAGA_SETTLE_ROUNDS_MAX = 30;

/** How long the settle waits for a leader to show the final configuration. */
const CONFIGURATION_WAIT_MS = 60_000;

/**
 * The members to compare at the end: the voters and learners of the configuration the leader
 * shows (members change during a run: replaced nodes are gone, new ones joined), or every node
 * the hosts run when no leader shows one. A member that runs on no host is left out of the
 * snapshots (it cannot be read); the convergence and membership verdicts name it.
 */
async function finalMembers(cluster: ChaosCluster): Promise<{ final: ClusterConfiguration | null; members: string[] }> {
  let final: ClusterConfiguration | null = null;
  const deadline = Date.now() + CONFIGURATION_WAIT_MS;
  for (let attempt = 0; final === null && attempt < CONFIGURATION_WAIT_MS / 250 && Date.now() < deadline; attempt++) {
    final = await cluster.configuration();
    if (final === null) await sleep(250);
  }
  return { final, members: final === null ? cluster.nodeIds : [...final.voters, ...final.learners] };
}

/**
 * Waits for the final configuration's members to converge, then for every saga the log shows open
 * to end (the leader goes on driving them after the workload stops), and takes the snapshots the
 * checker reads. Bounded: sagas still open after SAGA_SETTLE_ROUNDS_MAX rounds are left to the
 * sagas verdict.
 */
async function settle(cluster: ChaosCluster, log: (line: string) => void) {
  const { final, members } = await finalMembers(cluster);
  const compared = members.filter((id) => cluster.nodeIds.includes(id));
  log(`final configuration: ${final === null ? 'none shown' : `voters ${final.voters.join(',')}${final.learners.length > 0 ? `, learners ${final.learners.join(',')}` : ''}`}; comparing ${compared.join(', ')}`);
  for (let round = 1; ; round++) {
    const convergence = await waitForConvergence(cluster, members, CONVERGENCE_TIMEOUT_MS);
    const snapshots = await takeSnapshots(cluster, compared);
    const open = snapshots.nodes.length > 0 ? openSagas(snapshots.nodes[0].log) : [];
    if (!convergence.converged || open.length === 0 || round >= SAGA_SETTLE_ROUNDS_MAX) return { convergence, final, compared, ...snapshots };
    log(`${open.length} saga(s) still running (${open.slice(0, 3).join(', ')}); waiting for them to end`);
    await sleep(2000);
  }
}

async function runNemesis(cluster: ChaosCluster, plan: readonly PlannedFault[], options: ChaosOptions, clock: () => number): Promise<FaultRecord[]> {
  const nemesis = new Nemesis(cluster, clock, options.log);
  await sleep(2000);
  await nemesis.run(plan, options.durationMs, options.faultsAtLeast ?? 0);
  await cluster.healAll();
  return nemesis.faults;
}

/** A power failure: every MariaDB and every node SIGKILLed in the same instant, then all restarted. */
async function runPowerFailure(cluster: ChaosCluster, options: ChaosOptions, clock: () => number): Promise<FaultRecord[]> {
  await sleep(options.durationMs);
  const record: FaultRecord = { kind: 'power-failure', target: 'all', startedAt: clock(), injected: false, healedAt: null, writesBackAt: null };
  options.log(`${(record.startedAt / 1000).toFixed(1)} s: power failure (kill -9 of every MariaDB and node)`);
  await Promise.all([...cluster.hosts.map((h) => h.mariadb.kill9()), ...cluster.nodeIds.map((id) => cluster.killNode(id))]);
  record.injected = true;
  await sleep(1000);
  await cluster.healAll();
  record.healedAt = clock();
  options.log(`${(record.healedAt / 1000).toFixed(1)} s: power back, every node serving`);
  return [record];
}

function buildReport(
  options: ChaosOptions, ops: readonly OpRecord[], skippedTicks: number, faults: FaultRecord[], startAt: number, endAt: number, cluster: ChaosCluster,
  membership: ChaosReport['membership'], convergence: { converged: boolean; last: string }, logVerify: Awaited<ReturnType<typeof takeSnapshots>>['logVerify'], verdicts: Verdict[],
): ChaosReport {
  const count = (o: OpRecord['outcome']): number => ops.filter((op) => op.outcome === o).length;
  const byKind: Record<string, Record<string, number>> = {};
  const byStatus: Record<string, number> = {};
  for (const op of ops) {
    byKind[`${op.kind}/${op.via}`] ??= { ok: 0, failed: 0, unknown: 0 };
    byKind[`${op.kind}/${op.via}`][op.outcome]++;
    byStatus[String(op.status)] = (byStatus[String(op.status)] ?? 0) + 1;
  }
  const windows = unavailabilityWindows(ops, startAt, endAt);
  return {
    seed: options.seed,
    schedule: options.schedule,
    flushLogAtTrxCommit: options.flushLogAtTrxCommit,
    durationMs: endAt,
    ops: { total: ops.length, ok: count('ok'), failed: count('failed'), unknown: count('unknown'), skippedTicks, byKind, byStatus },
    faults,
    unavailability: { windows, totalMs: windows.reduce((s, w) => s + w.ms, 0), longestMs: Math.max(0, ...windows.map((w) => w.ms)) },
    nodeExits: Object.fromEntries(cluster.hosts.map((h) => [h.id, h.unexpectedExits])),
    membership,
    converged: convergence.converged,
    convergenceStatus: convergence.last,
    logVerify: { agreeUpTo: logVerify.agreeUpTo, common: logVerify.common, divergence: logVerify.divergence },
    verdicts,
    ok: verdicts.every((v) => v.ok),
    resultsDir: options.resultsDir,
  };
}

/** The report as text, for the terminal and report.txt. */
export function reportText(report: ChaosReport): string {
  const lines = [
    `chaos run: seed ${report.seed}, ${report.schedule}, ${(report.durationMs / 1000).toFixed(0)} s, innodb_flush_log_at_trx_commit=${report.flushLogAtTrxCommit}`,
    `operations: ${report.ops.total} (ok ${report.ops.ok}, failed ${report.ops.failed}, unknown ${report.ops.unknown}; ticks skipped with the in-flight bound reached: ${report.ops.skippedTicks})`,
    ...Object.entries(report.ops.byKind).map(([k, v]) => `  ${k}: ok ${v.ok}, failed ${v.failed}, unknown ${v.unknown}`),
    `  answers: ${Object.entries(report.ops.byStatus).map(([s, n]) => `${s} x${n}`).join(', ')}`,
    `faults: ${report.faults.length}`,
    ...report.faults.flatMap((f) => [
      `  ${(f.startedAt / 1000).toFixed(1)} s ${f.kind} ${f.target}${f.targetLed ? ' (the leader)' : ''}${f.replacedBy ? ` by ${f.replacedBy}` : ''}: healed at ${f.healedAt === null ? '-' : (f.healedAt / 1000).toFixed(1)} s, writes back ${f.writesBackAt === null || f.healedAt === null ? 'never' : `${f.writesBackAt - f.healedAt} ms`} after${f.note ? ` (${f.note})` : ''}`,
      ...(f.steps ?? []).map((s) => `      ${s.what}: ${(s.ms / 1000).toFixed(1)} s`),
      ...(f.restartedAs ? [`      restarted: ${f.restartedAs.voting ? 'voting' : `not voting (${f.restartedAs.notVotingReason})`}, incarnation ${f.restartedAs.incarnationChanged ? 'new' : 'unchanged'}, ${f.restartedAs.lossLogged ? '"storage lost" logged' : 'no "storage lost" in its log'}; votes again: ${f.votesAgain ? 'yes' : 'no'}`] : []),
    ]),
    `membership: founding ${report.membership.founding.join(',')}; final ${report.membership.final === null ? 'not shown' : `voters ${report.membership.final.voters.join(',')}, learners ${report.membership.final.learners.join(',') || 'none'}`}; compared ${report.membership.compared.join(',')}`,
    `unavailability (no write acknowledged for over 1 s): ${report.unavailability.windows.length} windows, ${report.unavailability.totalMs} ms in all, longest ${report.unavailability.longestMs} ms`,
    ...report.unavailability.windows.map((w) => `  ${(w.from / 1000).toFixed(1)} s .. ${(w.to / 1000).toFixed(1)} s (${w.ms} ms)`),
    `node processes that stopped on their own (per host): ${Object.entries(report.nodeExits).map(([id, e]) => `${id} ${e.length}`).join(', ')}`,
    'verdicts:',
    ...report.verdicts.flatMap((v) => [
      `  ${v.ok ? 'PASS' : 'FAIL'} ${v.name}${v.figures ? ` ${JSON.stringify(v.figures)}` : ''}`,
      ...v.problems.map((p) => `       ${p}`),
    ]),
    report.ok ? 'result: PASS' : 'result: FAIL',
    `results: ${report.resultsDir}`,
  ];
  return lines.join('\n');
}

function writeReport(report: ChaosReport, ops: readonly OpRecord[]): void {
  writeFileSync(join(report.resultsDir, 'report.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(report.resultsDir, 'report.txt'), `${reportText(report)}\n`);
  writeFileSync(join(report.resultsDir, 'history.jsonl'), ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
}
