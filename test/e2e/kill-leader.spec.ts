import { scopedCommandId } from '../../src/application/idempotency';
import { runLoad } from '../../src/bench/load';
import { sleep } from '../../src/bench/poll';
import { localAdminEnv } from '../../src/cluster/node-process';
import {
  type BallotValue,
  E2eCluster,
  type RetriedAppend,
  checkLogs,
  compareBallots,
  formatBallot,
  parseBallot,
  randomToken,
  report,
  retryPolicy,
  summarizeFailures,
  waitFor,
} from './cluster-harness';

/**
 * Three nodes under a concurrent load of appends; the leader is SIGKILLed mid-run and restarted
 * a second later. Clients retry failed or timed-out appends with the same Idempotency-Key. The
 * test asserts what happened (writes served again by the others, nothing lost or doubled, a
 * retried key answered with its first answer); how fast is printed, and judged by the bench.
 */
const TOTAL = 2000;
const IN_FLIGHT = 64;
const KILL_AFTER_ACKS = 700;
const RESTART_AFTER_MS = 1000;
const PROBE_EVERY_MS = 25;
/** Probes stop after the first fresh ack, or after this long (only a hang: each probe retries on). */
const PROBE_WINDOW_MS = 30_000;
const SAMPLE_EVERY_MS = 100;

describe('SIGKILL of the leader under load', () => {
  let cluster: E2eCluster;

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'kill', env: { PROPOSAL_TIMEOUT_MS: '3000' } });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  interface RestAnswer {
    readonly status: number;
    readonly replayed: string | null;
    readonly body: Record<string, unknown>;
  }

  /** A REST write as the admin, with its Idempotency-Key, to one node. */
  async function restWrite(id: string, token: string, path: string, body: unknown, key: string): Promise<RestAnswer> {
    const response = await fetch(`http://127.0.0.1:${cluster.port(id)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Sends a REST write with its key to `id` until it is answered 2xx (bounded: only a hang fails it). */
  async function restWriteOk(id: string, token: string, path: string, body: unknown, key: string): Promise<RestAnswer> {
    let last: RestAnswer | null = null;
    await waitFor(`${path} acknowledged by ${id}`, async () => {
      last = await restWrite(id, token, path, body, key).catch(() => null);
      return last !== null && last.status < 300;
    }, 60_000, 250);
    return last!;
  }

  it(
    'loses no acknowledged append, keeps the logs identical, serves fresh writes after the kill and answers a retried key with its first answer',
    () =>
      cluster.diagnose(async () => {
        const firstLeader = await cluster.waitForLeader();
        const client = await cluster.appendClient();
        const token = randomToken();

        // A REST write applied by the leader before it is killed: its key is retried afterwards.
        const admin = localAdminEnv();
        let adminToken = '';
        await waitFor('admin login', async () => {
          const response = await fetch(`http://127.0.0.1:${cluster.port(firstLeader)}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD }),
            signal: AbortSignal.timeout(30_000),
          });
          adminToken = String(((await response.json()) as { accessToken?: string }).accessToken ?? '');
          return response.status === 200;
        }, 60_000, 250);
        const studentId = `kill-${token}`;
        await restWriteOk(firstLeader, adminToken, '/api/students', { studentId, name: 'Killed Leader', className: 'k' }, `reg-${token}`);
        const retriedKey = `modify-${token}`;
        const modify = { studentId, delta: 3, reason: retriedKey };
        const firstAnswer = await restWriteOk(firstLeader, adminToken, '/api/scores/modify', modify, retriedKey);
        expect(firstAnswer.replayed).toBeNull();
        expect(firstAnswer.body).toMatchObject({ commandId: scopedCommandId(admin.ADMIN_USERNAME, retriedKey) });
        expect(typeof firstAnswer.body.position).toBe('number');
        const policy = retryPolicy({ attemptTimeoutMs: 4000, deadlineMs: 60_000, pauseMs: 50 });

        const acked = new Set<string>();
        /** The keys of the acknowledged writes: each append carries its key in its data. */
        const ackedKeys = new Set<string>();
        const failures: string[] = [];
        let attemptsTotal = 0;
        let duplicates = 0;
        /** Appends first sent before the kill and acknowledged after it, after more than one attempt. */
        let retriedAcrossKill = 0;
        // Times are performance.now(); set from callbacks, hence an object rather than lets.
        const t = {
          killAt: null as number | null,
          killedId: null as string | null,
          leaderBeforeKill: null as BallotValue | null,
          firstAckAfterKill: null as number | null,
          firstFreshAckAfterKill: null as number | null,
          newLeaderSeenAt: null as number | null,
        };
        const backgroundErrors: unknown[] = [];
        const onAck = (r: RetriedAppend): void => {
          acked.add(r.ack.commandId);
          ackedKeys.add(r.key);
          attemptsTotal += r.attempts;
          failures.push(...r.failures);
          if (r.ack.duplicate) duplicates++;
          if (t.killAt === null) return;
          if (r.ackedAt > t.killAt && t.firstAckAfterKill === null) t.firstAckAfterKill = r.ackedAt;
          if (r.firstSentAt < t.killAt && r.ackedAt > t.killAt && r.attempts > 1) retriedAcrossKill++;
          // A command first sent after the kill can only be chosen by a leader that is alive.
          if (r.firstSentAt > t.killAt && (t.firstFreshAckAfterKill === null || r.ackedAt < t.firstFreshAckAfterKill))
            t.firstFreshAckAfterKill = r.ackedAt;
        };

        // Every ~100 ms: the ballot each node reports, to compare with its durable promise at the end.
        const maxReported = new Map<string, BallotValue>();
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const statuses = await cluster.statuses();
            for (const [id, s] of statuses) {
              const ballot = parseBallot(s.ballot);
              const max = maxReported.get(id);
              if (!max || compareBallots(ballot, max) > 0) maxReported.set(id, ballot);
              if (t.killAt !== null && t.newLeaderSeenAt === null && s.role === 'leader' && id !== t.killedId)
                t.newLeaderSeenAt = performance.now();
            }
            await sleep(SAMPLE_EVERY_MS);
          }
        })();

        // Fresh appends every 25 ms right after the kill, so the first success after it is timed finely.
        const probes: Promise<void>[] = [];
        const startProbes = (): void => {
          const started = performance.now();
          let n = 0;
          const timer = setInterval(() => {
            if (t.firstFreshAckAfterKill !== null || performance.now() - started > PROBE_WINDOW_MS)
              return clearInterval(timer);
            const key = `probe-${token}-${n++}`;
            const probe = client.appendUntilOk(
              key,
              { stream: 'probe', data: { key } },
              retryPolicy({ attemptTimeoutMs: 1500, pauseMs: 50 }),
            );
            probes.push(probe.then(onAck, (e: unknown) => void backgroundErrors.push(e)));
          }, PROBE_EVERY_MS);
        };

        let killTask: Promise<void> | null = null;
        const killLeaderThenRestart = async (): Promise<void> => {
          const statuses = await cluster.statuses();
          const leader = [...statuses.values()].find((s) => s.role === 'leader');
          if (!leader)
            throw new Error(
              `no leader to kill: ${JSON.stringify([...statuses.values()].map((s) => [s.nodeId, s.role]))}`,
            );
          t.leaderBeforeKill = parseBallot(leader.ballot);
          t.killedId = leader.nodeId;
          const killAt = performance.now();
          t.killAt = killAt;
          const killing = cluster.kill(leader.nodeId, 'SIGKILL');
          startProbes();
          await killing;
          report(
            `kill-leader: SIGKILL ${leader.nodeId} (ballot ${leader.ballot}, applied slot ${leader.appliedSlot}) after ${acked.size} acks`,
          );
          await sleep(Math.max(0, RESTART_AFTER_MS - (performance.now() - killAt)));
          await cluster.restart(leader.nodeId);
          report(
            `kill-leader: ${leader.nodeId} restarted and serving ${Math.round(performance.now() - killAt)} ms after the kill`,
          );
        };

        const loadStarted = performance.now();
        const load = await runLoad({
          inFlight: IN_FLIGHT,
          total: TOTAL,
          send: async (i) => {
            const key = `cmd-${token}-${i}`;
            const r = await client.appendUntilOk(key, { stream: `s${i % 8}`, data: { key, i, pad: 'x'.repeat(i % 64) } }, policy);
            onAck(r);
            if (killTask === null && acked.size >= KILL_AFTER_ACKS)
              killTask = killLeaderThenRestart().catch((e: unknown) => void backgroundErrors.push(e));
          },
        });
        const loadMs = performance.now() - loadStarted;
        expect(killTask).not.toBeNull();
        await killTask;
        await Promise.all(probes);
        if (backgroundErrors.length > 0) throw backgroundErrors[0];
        expect(load.errors).toBe(0);
        expect(load.ops).toBe(TOTAL);

        // Let everyone catch up, then append a few more so every node accepts (hence promises) the
        // current ballot: a follower reports the ballot of the leader it follows, which it promises
        // only once it accepts that leader's Phase2a.
        await cluster.waitForConvergence(60_000);
        for (let i = 0; i < 5; i++)
          onAck(await client.appendUntilOk(`final-${token}-${i}`, { stream: 'final', data: { key: `final-${token}-${i}`, i } }, policy));
        const slot = await cluster.waitForConvergence(60_000);
        sampling = false;
        await sampler;

        // The key applied by the killed leader, retried on each survivor and on the restarted node:
        // the first answer again (same position, same result), marked as a replay, applied once.
        const retries = await Promise.all(cluster.ids.map(async (id) => [id, await restWriteOk(id, adminToken, '/api/scores/modify', modify, retriedKey)] as const));
        for (const [id, retry] of retries) {
          expect({ id, status: retry.status, replayed: retry.replayed, body: retry.body }).toEqual({ id, status: firstAnswer.status, replayed: 'true', body: firstAnswer.body });
        }
        acked.add(scopedCommandId(admin.ADMIN_USERNAME, retriedKey));
        ackedKeys.add(retriedKey);

        const { rows } = await checkLogs(cluster, acked, ackedKeys);

        const promiseProblems: string[] = [];
        for (const id of cluster.ids) {
          const promise = await cluster.db.promise(id);
          const reported = maxReported.get(id);
          if (!reported) continue;
          if (!promise || compareBallots(promise, reported) < 0) {
            promiseProblems.push(
              `${id}: durable promise ${promise ? formatBallot(promise) : 'none'} < reported ballot ${formatBallot(reported)}`,
            );
          }
        }
        expect(promiseProblems).toEqual([]);

        const killAt = t.killAt!;
        const freshMs = t.firstFreshAckAfterKill === null ? NaN : t.firstFreshAckAfterKill - killAt;
        const anyMs = t.firstAckAfterKill === null ? NaN : t.firstAckAfterKill - killAt;
        const leaderMs = t.newLeaderSeenAt === null ? NaN : t.newLeaderSeenAt - killAt;
        report(
          `kill-leader: ${TOTAL} appends + probes, ${acked.size} acknowledged ids, ${rows} log rows, last slot ${slot}, ` +
            `load ${Math.round(loadMs)} ms, ${attemptsTotal} attempts (${duplicates} acks were duplicates); failed attempts: ${summarizeFailures(failures) || 'none'}`,
        );
        report(
          `kill-leader: killed ${t.killedId} at ballot ${formatBallot(t.leaderBeforeKill!)}; new leader seen in status after ${Math.round(leaderMs)} ms; ` +
            `first ack of any append after ${Math.round(anyMs)} ms; first ack of an append first sent after the kill: ${Math.round(freshMs)} ms; ` +
            `${retriedAcrossKill} appends sent before the kill were retried and acknowledged after it`,
        );
        report(
          `kill-leader: max reported ballots ${JSON.stringify(Object.fromEntries([...maxReported].map(([id, b]) => [id, formatBallot(b)])))}`,
        );
        // A write first sent after the kill was served (by a live leader), and appends in flight at
        // the kill were retried across it (each in the log once: checkLogs above).
        expect(t.firstFreshAckAfterKill).not.toBeNull();
        expect(retriedAcrossKill).toBeGreaterThan(0);
      }),
    300_000,
  );
});
