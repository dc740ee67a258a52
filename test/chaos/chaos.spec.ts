import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChaosOptions, type ChaosReport, reportText, runChaos } from '../../src/chaos/run';

/**
 * The chaos suite on real processes (three MariaDB, three nats-servers, three nodes): a
 * 60-second seeded nemesis run, and the power-failure negative control that shows the checker
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

function cleanUp(report: ChaosReport): void {
  if (failedSafety(report).length === 0) rmSync(report.resultsDir, { recursive: true, force: true });
}

describe(`chaos (seed ${SEED}; replay with CHAOS_SEED=${SEED})`, () => {
  it('a 60-second seeded nemesis run loses nothing, duplicates nothing and ends converged', async () => {
    const report = await run({});
    expect(report.faults.length).toBeGreaterThanOrEqual(3);
    expect(report.ops.ok).toBeGreaterThan(100);
    expect(failedSafety(report)).toEqual([]);
    cleanUp(report);
  }, 300_000);

  it('a power failure (every MariaDB and node killed at once) loses no acknowledged write with the safe setting', async () => {
    const report = await run({ schedule: 'power-failure', durationMs: 12_000, ratePerSecond: 40 });
    expect(report.faults.map((f) => f.kind)).toEqual(['power-failure']);
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
