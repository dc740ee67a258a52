import { AggregateStore, type AggregateStoreOptions } from '../application/aggregate-store';
import { decideApiCommand, derivedId as derived } from '../application/decide-api-command';
import type { ApiCommand } from '../application/command-gateway';
import type { ChosenEntry } from '../consensus';
import type { Actor } from '../domain';
import { MysqlAggregateSource } from '../infra/mysql/aggregate-source';
import type { CommandRecord } from '../application/command-log';
import { createKysely } from '../infra/mysql/database';
import { EventStore } from '../infra/mysql/event-store';

/**
 * One node's restart, in a process of its own (so its RSS is its own): the event store and the
 * aggregate store load as `ConsensusNode.start` loads them, then it serves writes (applications
 * submitted and approved, decided by `decideApiCommand` after a prefetch, planned and written as
 * the driver does) for `BENCH_WRITE_SECONDS`. Prints one JSON line: the seconds to ready and the
 * peak RSS while loading and while serving writes.
 *
 * Env: MYSQL_URL, BENCH_DATABASE, BENCH_STUDENTS, BENCH_WRITE_SECONDS,
 * AGGREGATE_SNAPSHOT_EVERY_EVENTS, AGGREGATE_CACHE_MAX (0: unbounded).
 */
const ROUND = 50;
const admin: Actor = { username: 'admin', role: 'admin' };
const teacher: Actor = { username: 'ms.lee', role: 'teacher' };

async function main(): Promise<void> {
  const started = performance.now();
  const env = process.env;
  const cacheMax = Number(env.AGGREGATE_CACHE_MAX ?? 50_000);
  const options: AggregateStoreOptions = { snapshotEveryEvents: Number(env.AGGREGATE_SNAPSHOT_EVERY_EVENTS ?? 100_000), coldCacheMax: cacheMax === 0 ? Infinity : cacheMax };
  const students = Number(env.BENCH_STUDENTS ?? 10_000);
  const writeSeconds = Number(env.BENCH_WRITE_SECONDS ?? 10);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const db = createKysely(env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306', env.BENCH_DATABASE ?? 'behavior_bench_restart', 8);
  const events = new EventStore(db);
  try {
    const aggregates = new AggregateStore(new MysqlAggregateSource(db), options);
    aggregates.onCheckpointError = (e) => process.stderr.write(`checkpoint not written: ${e instanceof Error ? e.message : String(e)}\n`);
    events.onPlanned((batch) => aggregates.onPlanned(batch));
    events.onReload(() => aggregates.load());
    events.onWritten((head) => aggregates.onWritten(head));
    await events.load();
    const readySeconds = (performance.now() - started) / 1000;
    process.stderr.write(`ready in ${readySeconds.toFixed(2)} s, ${aggregates.folded} events folded, RSS ${Math.round(peakRss / 1e6)} MB\n`);
    const loadRss = peakRss;
    let idsLoadedSeconds: number | null = null;
    void events.idsSettled().then(() => {
      if (events.idsLoaded) idsLoadedSeconds = (performance.now() - started) / 1000;
    });
    const folded = aggregates.folded;
    await aggregates.settled();
    peakRss = process.memoryUsage().rss;

    // Serving writes: rounds of ROUND submissions, then their approvals, each round one slot.
    const { rows } = await db.selectFrom('event_log').select((eb) => eb.fn.max('slot').as('slot')).execute().then((r) => ({ rows: r }));
    let slot = Number(rows[0]?.slot ?? 0);
    let commands = 0;
    let refused = 0;
    let round = 0;
    const until = performance.now() + writeSeconds * 1000;
    const now = () => new Date().toISOString();
    const apply = async (list: { command: ApiCommand; actor: Actor; id: string }[]) => {
      const release = await aggregates.prefetch(
        list.flatMap(({ command, id }) =>
          command.name === 'applications.submit'
            ? [`student/${command.data.studentId}`, `application/${appIdOf(id)}`]
            : command.name === 'applications.review'
              ? [`application/${command.data.applicationId}`]
              : [],
        ),
      );
      const values: { id: string; payload: string }[] = [];
      for (const { command, actor, id } of list) {
        const decision = decideApiCommand(command, aggregates, actor, now(), { command: id, attempt: id });
        // A refusal (e.g. a score the log left at the range's edge) is counted, not proposed.
        if (!decision.ok) {
          refused += 1;
          continue;
        }
        const record: CommandRecord = { events: decision.decided.events, expected: decision.decided.expected, metadata: { actor }, result: decision.decided.result };
        values.push({ id, payload: JSON.stringify(record) });
      }
      release();
      if (values.length === 0) return;
      slot += 1;
      const entry: ChosenEntry = { slot, value: { kind: 'batch', values } };
      const batch = await events.plan([entry]);
      await events.store([batch]);
      events.written(batch);
      commands += values.length;
    };
    while (performance.now() < until) {
      round += 1;
      const taken = new Set<string>();
      const submits = Array.from({ length: ROUND }, (_, i) => {
        // A student whose score may move by one either way (a log may leave scores at the range's edges).
        let n = round * ROUND + i;
        let studentId = `s-${1 + (n % students)}`;
        for (let tries = 0; tries < students && (taken.has(studentId) || !movable(aggregates.student(studentId).score)); tries++) studentId = `s-${1 + (++n % students)}`;
        taken.add(studentId);
        const id = `restart-bench-${process.pid}-${round}-${i}`;
        const delta = aggregates.student(studentId).score > 100 ? -1 : 1;
        return { command: { name: 'applications.submit', data: { studentId, delta, reason: 'bench' } } as ApiCommand, actor: teacher, id };
      });
      await apply(submits);
      const reviewsOf = submits.map((s) => ({
        command: { name: 'applications.review', data: { applicationId: appIdOf(s.id), decision: round % 2 === 0 ? 'approve' : 'reject', comment: 'bench' } } as ApiCommand,
        actor: admin,
        id: `${s.id}-review`,
      }));
      // The review reads the student: load it with the application.
      const release = await aggregates.prefetch(submits.map((s) => `student/${(s.command.data as { studentId: string }).studentId}`));
      await apply(reviewsOf);
      release();
    }
    await aggregates.settled();
    clearInterval(sampler);
    const result = {
      readySeconds,
      idsLoadedSeconds,
      folded,
      loadPeakRssMb: Math.round(loadRss / 1e6),
      servingPeakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1e6),
      writes: commands,
      refused,
      writesPerSecond: Math.round(commands / writeSeconds),
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
      resident: aggregates.residentCount,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    clearInterval(sampler);
    await events.stop();
    await db.destroy();
  }
}

function movable(score: number): boolean {
  return score > 0 && score < 200;
}

/** The id `applications.submit` derives for an attempt id (as decideApiCommand does). */
function appIdOf(attemptId: string): string {
  return derived('app', attemptId);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`restart node failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
