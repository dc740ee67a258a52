import { runLoad } from '../../src/bench/load';
import { sleep } from '../../src/bench/poll';
import {
  E2eCluster,
  type RetriedAppend,
  checkLogs,
  randomToken,
  report,
  retryPolicy,
  summarizeFailures,
} from './cluster-harness';

/**
 * Three nodes on a NATS server this test owns (the harness starts one per cluster on a spare
 * port); under a steady load the server is SIGKILLed and started again on the same port. Every
 * node and the test's client reconnect on their own.
 */
const IN_FLIGHT = 32;
const LOAD_MS = 9000;
const KILL_AT_MS = 2000;
const DOWN_MS = 1500;
/** Only stops a hang: how soon writes were served again is printed. */
const RECOVERY_BOUND_MS = 60_000;

describe('NATS server SIGKILL and restart under load', () => {
  let cluster: E2eCluster | undefined;

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'nats', env: { PROPOSAL_TIMEOUT_MS: '3000' } });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it(
    'recovers after the NATS server comes back and loses no acknowledged append',
    () =>
      cluster!.diagnose(async () => {
        const c = cluster!;
        const nats = c.natsServer!;
        await c.waitForLeader();
        const client = await c.appendClient();
        const token = randomToken();
        const acked = new Set<string>();
        const failures: string[] = [];
        const t = {
          killAt: null as number | null,
          restartedAt: null as number | null,
          firstFreshAck: null as number | null,
          acksBeforeKill: 0,
          acksWhileDown: 0,
        };
        const onAck = (r: RetriedAppend): void => {
          acked.add(r.ack.commandId);
          failures.push(...r.failures);
          if (t.killAt === null) t.acksBeforeKill++;
          else if (t.restartedAt === null) t.acksWhileDown++;
          else if (r.firstSentAt > t.restartedAt && (t.firstFreshAck === null || r.ackedAt < t.firstFreshAck))
            t.firstFreshAck = r.ackedAt;
        };

        const outage = (async () => {
          await sleep(KILL_AT_MS);
          t.killAt = performance.now();
          await nats.kill('SIGKILL');
          report(`nats-restart: NATS server SIGKILLed after ${acked.size} acks`);
          await sleep(DOWN_MS);
          await nats.start();
          t.restartedAt = performance.now();
          report(
            `nats-restart: NATS server accepting connections again on port ${nats.port} after ${Math.round(t.restartedAt - t.killAt)} ms down`,
          );
        })();

        const load = await runLoad({
          inFlight: IN_FLIGHT,
          durationMs: LOAD_MS,
          send: async (i) => {
            const r = await client.appendUntilOk(
              `cmd-${token}-${i}`,
              { stream: `s${i % 4}`, data: { key: `cmd-${token}-${i}`, i } },
              retryPolicy({ attemptTimeoutMs: 4000, deadlineMs: 60_000, pauseMs: 100 }),
            );
            onAck(r);
          },
        });
        await outage;
        expect(load.errors).toBe(0);
        expect(t.restartedAt).not.toBeNull();

        // Bounded recovery: if the load ended before a fresh append succeeded, wait for one now.
        if (t.firstFreshAck === null) {
          const r = await client.appendUntilOk(
            `after-${token}`,
            { stream: 'after', data: { key: `after-${token}` } },
            retryPolicy({ deadlineMs: RECOVERY_BOUND_MS }),
          );
          onAck(r);
        }
        const recoveryMs = t.firstFreshAck! - t.restartedAt!;

        const slot = await c.waitForConvergence(60_000);
        const { rows } = await checkLogs(c, acked);
        report(
          `nats-restart: ${acked.size} acknowledged (${t.acksBeforeKill} before the kill, ${t.acksWhileDown} while NATS was down, the rest after), ` +
            `${rows} log rows, last slot ${slot}; first ack of an append sent after the restart: ${Math.round(recoveryMs)} ms after the restart; ` +
            `failed attempts: ${summarizeFailures(failures) || 'none'}`,
        );
        // A write first sent after the restart was acknowledged (found above, or the bounded wait threw).
        expect(t.firstFreshAck).not.toBeNull();
        expect(recoveryMs).toBeGreaterThan(0);
        for (const id of c.ids) expect(c.isAlive(id)).toBe(true);
      }),
    180_000,
  );
});
