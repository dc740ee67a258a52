import { randomInt } from 'node:crypto';
import { join, resolve } from 'node:path';
import { FAULT_KINDS, type FaultKind } from './nemesis';
import { reportText, runChaos } from './run';

/** A run with fewer acknowledged operations fails (`--min-acks`): it would judge nothing. */
const DEFAULT_MIN_ACKNOWLEDGED = 50;

/** `npm run chaos -- [--minutes M | --seconds S] [--seed N] [--rate R] [--min-acks N] [--begin-with K1,K2] [--power-failure] [--unsafe] [--results DIR]` */
async function main(argv: readonly string[]): Promise<number> {
  const flag = (name: string): boolean => argv.includes(`--${name}`);
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const number = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got ${raw}`);
    return n;
  };
  const seed = Math.floor(number('seed', randomInt(1, 2 ** 31)));
  const leadWith = (value('begin-with') ?? '').split(',').filter((k) => k !== '');
  const unknown = leadWith.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new UsageError(`--begin-with takes fault kinds (${FAULT_KINDS.join(', ')}), got ${unknown.join(', ')}`);
  const durationMs = value('seconds') !== undefined ? number('seconds', 60) * 1000 : number('minutes', 1) * 60_000;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = resolve(value('results') ?? join('chaos', 'results', `${stamp}-seed-${seed}`));
  process.stdout.write(`chaos seed ${seed} (replay the schedule with --seed ${seed})\n`);
  const report = await runChaos({
    seed,
    durationMs,
    schedule: flag('power-failure') ? 'power-failure' : 'nemesis',
    leadWith: leadWith as FaultKind[],
    flushLogAtTrxCommit: flag('unsafe') ? 0 : 1,
    ratePerSecond: number('rate', 20),
    students: number('students', 20),
    resultsDir,
    writesBackBoundMs: number('writes-back-ms', 2000),
    minAcknowledged: number('min-acks', DEFAULT_MIN_ACKNOWLEDGED),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${reportText(report)}\n`);
  return report.ok ? 0 : 1;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
