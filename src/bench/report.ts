import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../shared/assert';
import type { LoadResult } from './load';

/** One line of the results table: a system measured at one in-flight count. */
export interface BenchRow extends Pick<LoadResult, 'ops' | 'opsPerSec' | 'p50Ms' | 'p99Ms'> {
  /** e.g. `paxos-3` or `jetstream`; rows named like the baseline are what others are compared to. */
  readonly system: string;
  readonly inFlight: number;
}

/** The system name of JetStream rows: the default baseline of the ratio column. */
export const JETSTREAM_SYSTEM = 'jetstream';

/** Where `writeResults` writes unless told otherwise, relative to the working directory. */
export const RESULTS_DIR = join('bench', 'results');

const HEADERS = ['system', 'in flight', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'ratio to JetStream'] as const;

/**
 * The rows as an aligned text table. The ratio column is a row's ops/s divided by the ops/s of
 * the `baseline` row at the same in-flight count; '-' when there is no such row (or for the
 * baseline itself).
 *
 * @example formatTable([{ system: 'jetstream', inFlight: 1, ops: 200, opsPerSec: 900, p50Ms: 1, p99Ms: 2 }])
 */
export function formatTable(rows: readonly BenchRow[], baseline = JETSTREAM_SYSTEM): string {
  const cells = rows.map((row) => {
    const base = rows.find((r) => r.system === baseline && r.inFlight === row.inFlight);
    const ratio =
      base && row.system !== baseline && base.opsPerSec > 0 ? (row.opsPerSec / base.opsPerSec).toFixed(2) : '-';
    return [
      row.system,
      String(row.inFlight),
      String(row.ops),
      fixed(row.opsPerSec, 0),
      fixed(row.p50Ms, 2),
      fixed(row.p99Ms, 2),
      ratio,
    ];
  });
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...cells.map((line) => line[c].length)));
  // The system column reads best left-aligned, the figures right-aligned so digits line up.
  const line = (values: readonly string[]): string =>
    values
      .map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADERS), rule, ...cells.map(line)].join('\n') + '\n';
}

/** Prints `formatTable(rows, baseline)` to stdout. */
export function printTable(rows: readonly BenchRow[], baseline = JETSTREAM_SYSTEM): void {
  process.stdout.write(formatTable(rows, baseline));
}

/**
 * Writes `data` as JSON to `<dir>/<name>-<timestamp>.json` and to `<dir>/<name>-latest.json`
 * (creating `dir`), and returns the timestamped path. The timestamp is ISO 8601 in UTC with ':'
 * and '.' turned into '-', so the file name is valid everywhere and sorts by time.
 *
 * @throws AssertionError when `name` is not a plain file-name word (letters, digits, '-', '_').
 */
export function writeResults(name: string, data: unknown, options: { dir?: string; now?: Date } = {}): string {
  assert(/^[A-Za-z0-9_-]+$/.test(name), `results name must be letters, digits, '-' or '_', got '${name}'`);
  const dir = options.dir ?? RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify(data, null, 2) + '\n';
  const path = join(dir, `${name}-${stamp}.json`);
  writeFileSync(path, json);
  // Via a rename, so a reader of -latest never sees a half-written file.
  const latest = join(dir, `${name}-latest.json`);
  writeFileSync(`${latest}.tmp`, json);
  renameSync(`${latest}.tmp`, latest);
  return path;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}
