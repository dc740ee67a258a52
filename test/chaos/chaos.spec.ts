import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChaosOptions, type ChaosReport, reportText, runChaos } from '../../src/chaos/run';

/**
 * The chaos suite on real processes (three MariaDB, three nats-servers, three nodes): a
 * 60-second seeded nemesis run that begins with the two membership faults (a node replaced by a
 * spare node id, sometimes the leader; a node's database wiped and the node restarted under its
 * old id, refused until re-added; together about 40 s) and goes on with the other faults, and the power-failure negative control that shows the checker
 * bites. The "writes back within 2 s of each heal" verdict is reported, not asserted here: the
 * suite shares two cores with other work; `npm run chaos` asserts it.
 */

const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TIMED_VERDICT = /^writes served again/;
/** Bounded retries of the unsafe control: a power cut that lands right after InnoDB's periodic flush loses nothing. */
const UNSAFE_ATTEMPTS_MAX = 3;

function options(overrides: Partial<ChaosOptions>): ChaosOptions {
  return {
    seed: SEED,
    durationMs: 60_000,
    schedule: 'nemesis',
    flushLogAtTrxCommit: 1,
    ratePerSecond: 20,
    students: 10,
    resultsDir: mkdtempSync(join(tmpdir(), 'chaos-test-')),
    writesBackBoundMs: 2000,
    // 90 s at 20/s and 12 s at 40/s send about 1800 and 480 operations: 100 acknowledged is far
    // below a healthy run and far above a vacuous one (the safety verdicts hold for zero writes).
    minAcknowledged: 100,
    log: () => undefined,
    ...overrides,
  };
}

async function run(overrides: Partial<ChaosOptions>): Promise<ChaosReport> {
  const report = await runChaos(options(overrides));
  process.stdout.write(`[chaos] ${reportText(report).split('\n').join('\n[chaos] ')}\n`);
  return report;
}

function failedSafety(report: ChaosReport): string[] {
  return report.verdicts.filter((v) => !v.ok && !TIMED_VERDICT.test(v.name)).map((v) => `${v.name}: ${v.problems.join('; ')}`);
}

function verdictOf(report: ChaosReport, name: RegExp): ChaosReport['verdicts'][number] {
  const found = report.verdicts.find((v) => name.test(v.name));
  if (!found) throw new Error(`no verdict ${name} in ${report.verdicts.map((v) => v.name).join(', ')}`);
  return found;
}

function cleanUp(report: ChaosReport): void {
  if (failedSafety(report).length === 0) rmSync(report.resultsDir, { recursive: true, force: true });
}

describe(`chaos (seed ${SEED}; replay with CHAOS_SEED=${SEED})`, () => {
  it('a 60-second seeded nemesis run, a node replaced and a node wiped among its faults, loses nothing, duplicates nothing and ends converged', async () => {
    const report = await run({ durationMs: 60_000, leadWith: ['replace-node', 'wipe-node'], faultsAtLeast: 3 });
    // the two membership faults and at least one other
    expect(report.faults.length).toBeGreaterThanOrEqual(3);
    // both membership faults ran to their end, and the final configuration is what they made
    const replaced = report.faults.find((f) => f.kind === 'replace-node');
    const wiped = report.faults.find((f) => f.kind === 'wipe-node');
    expect(replaced).toMatchObject({ injected: true, replacedBy: expect.stringMatching(/^n\d+$/) });
    expect(wiped).toMatchObject({ injected: true, restartedAs: { voting: false, notVotingReason: 'incarnation-mismatch', incarnationChanged: true, lossLogged: true }, votesAgain: true });
    expect(report.membership.final?.voters).toContain(replaced!.replacedBy);
    expect(report.membership.final?.voters).not.toContain(replaced!.target);
    expect(report.membership.compared).toEqual([...report.membership.final!.voters, ...report.membership.final!.learners]);
    expect(verdictOf(report, /^membership changes took effect/)).toMatchObject({ ok: true, figures: { replaced: 1, wiped: 1 } });
    // the run judged something: enough acknowledged writes, every scheduled fault injected
    expect(verdictOf(report, /^at least \d+ operations acknowledged/).ok).toBe(true);
    expect(verdictOf(report, /^every scheduled fault injected/).ok).toBe(true);
    expect(failedSafety(report)).toEqual([]);
    cleanUp(report);
  }, 300_000);

  it('a power failure (every MariaDB and node killed at once) loses no acknowledged write with the safe setting', async () => {
    const report = await run({ schedule: 'power-failure', durationMs: 12_000, ratePerSecond: 40 });
    expect(report.faults.map((f) => ({ kind: f.kind, injected: f.injected }))).toEqual([{ kind: 'power-failure', injected: true }]);
    // zero acknowledged writes would lose none: the minimum makes the control mean something
    expect(verdictOf(report, /^at least \d+ operations acknowledged/)).toMatchObject({ ok: true, figures: { minimum: 100 } });
    expect(failedSafety(report)).toEqual([]);
    cleanUp(report);
  }, 240_000);

  it('the checker reports lost acknowledged writes when every MariaDB runs with innodb_flush_log_at_trx_commit=0', async () => {
    let lost = 0;
    for (let attempt = 1; attempt <= UNSAFE_ATTEMPTS_MAX && lost === 0; attempt++) {
      const report = await run({ schedule: 'power-failure', durationMs: 12_000, ratePerSecond: 40, flushLogAtTrxCommit: 0, seed: SEED + attempt });
      const verdict = report.verdicts.find((v) => v.name.startsWith('acknowledged writes'))!;
      lost = verdict.figures?.lost ?? 0;
      if (lost > 0) expect(verdict.ok).toBe(false);
      rmSync(report.resultsDir, { recursive: true, force: true });
    }
    expect(lost).toBeGreaterThan(0);
  }, 600_000);
});
