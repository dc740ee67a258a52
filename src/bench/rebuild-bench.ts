import { sql } from 'kysely';
import { openBulkLoader } from '../infra/mysql/bulk-loader';
import { createDatabase, createKysely } from '../infra/mysql/database';
import { migrateToLatest } from '../infra/mysql/migrate';
import { ProjectionRebuild, Projector, READ_MODELS, type RebuildResult, readModelDb, setCheckpoint } from '../projections';
import { writeSyntheticLog } from './synthetic-log';

/** What the rebuild benchmark measured. */
export interface RebuildBenchResult {
  readonly events: number;
  readonly students: number;
  readonly generateSeconds: number;
  readonly rebuild: RebuildResult;
  readonly rows: Record<string, number>;
  /** The live projector's own catch-up over the same log (one transaction per batch), for comparison. */
  readonly liveProjector: { readonly events: number; readonly seconds: number; readonly eventsPerSecond: number } | null;
}

const DATABASE = 'behavior_bench_rebuild';

/**
 * Writes a log of `events` events into a throwaway database, sets the live checkpoint at its head
 * (a node that is caught up), and times `projections:rebuild`'s engine over it; then, unless
 * skipped, the live projector catching up over the first `liveEvents` of the same log.
 */
export async function benchRebuild(mysqlUrl: string, events: number, liveEvents: number, log: (line: string) => void): Promise<RebuildBenchResult> {
  await createDatabase(mysqlUrl, DATABASE);
  const db = createKysely(mysqlUrl, DATABASE, 8);
  try {
    await sql`DROP DATABASE IF EXISTS ${sql.id(DATABASE)}`.execute(db);
    await createDatabase(mysqlUrl, DATABASE);
  } finally {
    await db.destroy();
  }
  const node = createKysely(mysqlUrl, DATABASE, 8);
  try {
    await migrateToLatest(node);
    const students = Math.max(1, Math.min(10_000, Math.floor(events / 100)));
    log(`rebuild bench: writing a log of ${events} events (${students} students) into ${DATABASE}`);
    const generating = performance.now();
    await writeSyntheticLog(node, { events, students });
    const generateSeconds = (performance.now() - generating) / 1000;
    const rm = readModelDb(node);
    await setCheckpoint(rm, READ_MODELS.name, events);
    log(`rebuild bench: log written in ${generateSeconds.toFixed(1)} s; rebuilding`);
    let lastLine = 0;
    const bulkLoader = await openBulkLoader(mysqlUrl, DATABASE);
    log(`rebuild bench: ${bulkLoader ? 'LOAD DATA for complete rows' : 'local_infile is off: upserts only'}`);
    const rebuild = await new ProjectionRebuild(rm, {
      bulkLoader,
      onProgress: (p) => {
        if (Date.now() - lastLine < 5000) return;
        lastLine = Date.now();
        log(`  ${p.phase} ${p.done}/${p.total} at ${p.eventsPerSecond} events/s`);
      },
    })
      .run()
      .finally(() => bulkLoader?.close());
    log(`rebuild bench: ${rebuild.events} events in ${rebuild.seconds.toFixed(1)} s = ${rebuild.eventsPerSecond} events/s`);
    const rows: Record<string, number> = {};
    for (const table of rebuild.tables) {
      const { rows: counted } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(node);
      rows[table] = Number(counted[0].n);
    }
    let liveProjector: RebuildBenchResult['liveProjector'] = null;
    if (liveEvents > 0) {
      for (const table of rebuild.tables) await sql`TRUNCATE TABLE ${sql.table(table)}`.execute(node);
      await setCheckpoint(rm, READ_MODELS.name, 0);
      const projector = new Projector(rm, READ_MODELS);
      const started = performance.now();
      const reached = await projector.catchUp(Math.min(liveEvents, events));
      const seconds = (performance.now() - started) / 1000;
      liveProjector = { events: reached, seconds, eventsPerSecond: Math.round(reached / seconds) };
      log(`live projector: ${reached} events in ${seconds.toFixed(1)} s = ${liveProjector.eventsPerSecond} events/s`);
    }
    return { events, students, generateSeconds, rebuild, rows, liveProjector };
  } finally {
    await sql`DROP DATABASE IF EXISTS ${sql.id(DATABASE)}`.execute(node).catch(() => undefined);
    await node.destroy();
  }
}
