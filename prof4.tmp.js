const { createDatabase, createKysely } = require('/work/main/dist/infra/mysql/database');
const { migrateToLatest } = require('/work/main/dist/infra/mysql/migrate');
const { writeSyntheticLog } = require('/work/main/dist/bench/synthetic-log');
const { openBulkLoader } = require('/work/main/dist/infra/mysql/bulk-loader');
const p = require('/work/main/dist/projections');
const { sql } = require('/work/main/node_modules/kysely');
(async () => {
  const url = 'mysql://root@127.0.0.1:3306', name = 'behavior_prof1m';
  const N = Number(process.env.N || 1000000);
  await createDatabase(url, name);
  const db = createKysely(url, name, 8);
  await migrateToLatest(db);
  const { rows } = await sql`SELECT COUNT(*) n FROM event_log`.execute(db);
  if (Number(rows[0].n) === 0) { await writeSyntheticLog(db, { events: N, students: 10000 }); }
  const rm = p.readModelDb(db);
  await p.setCheckpoint(rm, 'read-models', N);
  const loader = await openBulkLoader(url, name);
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const r = await new p.ProjectionRebuild(rm, { bulkLoader: loader, batchEvents: Number(process.env.B || 20000), writers: Number(process.env.W || 4) }).run();
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  console.log({ eps: r.eventsPerSecond, wall: Math.round(wall), nodeUser: Math.round(cpu.user / 1000), nodeSys: Math.round(cpu.system / 1000) });
  await loader.close();
  await db.destroy();
})();
