import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, createKysely } from '../infra/mysql/database';
import { migrateToLatest } from '../infra/mysql/migrate';
import { writeSyntheticLog } from './synthetic-log';

/** What one restart measured (see restart-node.ts). */
export interface RestartRun {
  readonly readySeconds: number;
  /** Seconds from the start until every applied command id was in the filter (filled in the background while serving), or null when not within the run. */
  readonly idsLoadedSeconds: number | null;
  readonly folded: number;
  readonly loadPeakRssMb: number;
  readonly servingPeakRssMb: number;
  readonly writes: number;
  readonly writesPerSecond: number;
  readonly heapUsedMb: number;
  readonly resident: number;
}

/** A restart that did not finish (e.g. the heap ran out). */
export interface FailedRun {
  readonly failed: string;
  /** Seconds until it failed. */
  readonly seconds: number;
}

/** What the restart benchmark measured. */
export interface RestartBenchResult {
  readonly events: number;
  readonly students: number;
  readonly generateSeconds: number;
  /** The first start with snapshots on: it folds the whole log and writes the first checkpoint. */
  readonly firstStartWithSnapshots: RestartRun | FailedRun;
  readonly withSnapshots: RestartRun | FailedRun;
  readonly withoutSnapshots: RestartRun | FailedRun;
  readonly targets: { readonly readySecondsMax: number; readonly servingRssMbMax: number };
  readonly settings: { readonly snapshotEveryEvents: number; readonly cacheMax: number; readonly writeSeconds: number };
}

const DATABASE = 'behavior_bench_restart';
const SNAPSHOT_EVERY = 100_000;
const CACHE_MAX = 50_000;

/**
 * Writes a log of `events` events (half of them applications') into a throwaway database, then
 * restarts a node on it (a process of its own, Node's default heap): once without snapshots
 * (every aggregate in memory, the whole log folded), once with snapshots to take the first
 * checkpoint, and once more with snapshots, measured. Each run serves writes for `writeSeconds`.
 */
export async function benchRestart(mysqlUrl: string, events: number, writeSeconds: number, log: (line: string) => void): Promise<RestartBenchResult> {
  await createDatabase(mysqlUrl, DATABASE);
  const admin = createKysely(mysqlUrl, DATABASE, 2);
  try {
    await sql`DROP DATABASE IF EXISTS ${sql.id(DATABASE)}`.execute(admin);
    await createDatabase(mysqlUrl, DATABASE);
  } finally {
    await admin.destroy();
  }
  const db = createKysely(mysqlUrl, DATABASE, 8);
  const students = Math.max(1, Math.min(10_000, Math.floor(events / 100)));
  try {
    await migrateToLatest(db);
    log(`restart bench: writing a log of ${events} events (${students} students, half of the events applications') into ${DATABASE}`);
    const generating = performance.now();
    await writeSyntheticLog(db, { events, students, applicationEvery: 3 });
    const generateSeconds = (performance.now() - generating) / 1000;
    log(`restart bench: log written in ${generateSeconds.toFixed(1)} s`);
    const run = (snapshotEvery: number, cacheMax: number, label: string) =>
      restartOnce(mysqlUrl, { AGGREGATE_SNAPSHOT_EVERY_EVENTS: String(snapshotEvery), AGGREGATE_CACHE_MAX: String(cacheMax), BENCH_STUDENTS: String(students), BENCH_WRITE_SECONDS: String(writeSeconds) }).then((r) => {
        log(`  ${label}: ${describe(r)}`);
        return r;
      });
    const withoutSnapshots = await run(0, 0, 'without snapshots (every aggregate in memory)');
    const firstStartWithSnapshots = await run(SNAPSHOT_EVERY, CACHE_MAX, 'first start with snapshots (folds the whole log, writes the checkpoint)');
    const withSnapshots = await run(SNAPSHOT_EVERY, CACHE_MAX, 'restart with snapshots');
    return {
      events,
      students,
      generateSeconds,
      firstStartWithSnapshots,
      withSnapshots,
      withoutSnapshots,
      targets: { readySecondsMax: 10, servingRssMbMax: 300 },
      settings: { snapshotEveryEvents: SNAPSHOT_EVERY, cacheMax: CACHE_MAX, writeSeconds },
    };
  } finally {
    await sql`DROP DATABASE IF EXISTS ${sql.id(DATABASE)}`.execute(db).catch(() => undefined);
    await db.destroy();
  }
}

function describe(r: RestartRun | FailedRun): string {
  if ('failed' in r) return `failed after ${r.seconds.toFixed(1)} s: ${r.failed}`;
  return `ready in ${r.readySeconds.toFixed(2)} s (${r.folded} events folded; applied ids loaded in the background by ${r.idsLoadedSeconds === null ? 'no time within the run' : `${r.idsLoadedSeconds.toFixed(2)} s`}), RSS ${r.loadPeakRssMb} MB loading, ${r.servingPeakRssMb} MB serving ${r.writesPerSecond} writes/s`;
}

/** Runs restart-node.js with `env` and reads its JSON line. */
function restartOnce(mysqlUrl: string, env: Record<string, string>): Promise<RestartRun | FailedRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, 'restart-node.js')], {
      env: { ...process.env, ...env, MYSQL_URL: mysqlUrl, BENCH_DATABASE: DATABASE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) return resolve(JSON.parse(line) as RestartRun);
      const why = err.includes('heap out of memory') ? 'JavaScript heap out of memory' : err.trim().split('\n').slice(0, 3).join(' | ') || `exit code ${code}`;
      resolve({ failed: why, seconds });
    });
  });
}
