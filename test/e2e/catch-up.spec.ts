import { runLoad } from '../../src/bench/load';
import { E2eCluster, checkLogs, randomToken, report, retryPolicy, summarizeFailures, waitFor } from './cluster-harness';

/**
 * One node is stopped (SIGTERM) while the other two append 10,000 entries; restarted, it must
 * catch up from its peers' logs and end with the same event log.
 */
const ENTRIES = 10_000;
const IN_FLIGHT = 256;
/** Only stops a hang: how long catching up took is printed. */
const CATCH_UP_BOUND_MS = 120_000;
/** Slots per catch-up request (the nodes' default catchupBatchMax). */
const CATCHUP_BATCH_MAX = 500;

describe('catch-up of a node that was away for 10,000 appends', () => {
  let cluster: E2eCluster;

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'catchup' });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it(
    'catches up and ends with the same event log',
    () =>
      cluster.diagnose(async () => {
        const leader = await cluster.waitForLeader();
        const away = cluster.ids.find((id) => id !== leader)!;
        const client = await cluster.appendClient();
        const token = randomToken();
        const acked = new Set<string>();
        const failures: string[] = [];
        // One entry while all three are up, so the stopped node has a non-empty log to resume from.
        acked.add(
          (await client.appendUntilOk(`first-${token}`, { stream: 'first', data: { key: `first-${token}` } }, retryPolicy())).ack.commandId,
        );
        await cluster.waitForConvergence(10_000);

        const awaySlot = (await cluster.status(away))!.appliedSlot;
        await cluster.stopNode(away);
        const before = await cluster.db.eventLogHead(away);
        const remaining = cluster.ids.filter((id) => id !== away);

        const loadStarted = performance.now();
        const load = await runLoad({
          inFlight: IN_FLIGHT,
          total: ENTRIES,
          send: async (i) => {
            const key = `cmd-${token}-${i}`;
            const r = await client.appendUntilOk(
              key,
              { stream: `s${i % 16}`, data: { key, i } },
              retryPolicy({ attemptTimeoutMs: 15_000 }),
            );
            acked.add(r.ack.commandId);
            failures.push(...r.failures);
          },
        });
        const loadMs = performance.now() - loadStarted;
        expect(load.errors).toBe(0);
        const slot = await cluster.waitForConvergence(30_000, remaining);
        const others = await cluster.statuses(remaining);
        const target = [...others.values()][0];
        report(
          `catch-up: ${ENTRIES} appends on ${remaining.join('+')} in ${Math.round(loadMs)} ms (${Math.round(load.opsPerSec)}/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms), ` +
            `up to slot ${slot}, log position ${target.logPosition}; ${away} stopped at position ${before.maxPosition}; failed attempts: ${summarizeFailures(failures) || 'none'}`,
        );

        const restartAt = performance.now();
        await cluster.restart(away);
        const servingAt = performance.now();
        await waitFor(
          `${away} applying slot ${slot}`,
          async () => ((await cluster.status(away))?.appliedSlot ?? 0) >= slot,
          CATCH_UP_BOUND_MS,
          20,
        );
        const caughtUpAt = performance.now();
        await cluster.waitForConvergence(10_000);
        const status = (await cluster.status(away))!;
        expect(status.appliedSlot).toBe(slot);
        expect(status.logPosition).toBe(target.logPosition);

        const { rows } = await checkLogs(cluster, acked);
        // the appends, the probe, and the bootstrap admin's UserCreated
        expect(rows).toBe(ENTRIES + 2);
        report(
          `catch-up: ${away} applied slots ${awaySlot + 1}..${slot} (${rows - before.count} entries) ` +
            `${Math.round(caughtUpAt - restartAt)} ms after its restart (${Math.round(servingAt - restartAt)} ms to start serving HTTP, ` +
            `${Math.round(caughtUpAt - servingAt)} ms from then); catch-up requests ${status.protocol.catchupRequests}`,
        );
        // It caught up by asking its peers: at least the requests the missing slots need at
        // CATCHUP_BATCH_MAX slots each, and not one per slot (each request brings a batch).
        const missing = slot - awaySlot;
        expect(status.protocol.catchupRequests).toBeGreaterThanOrEqual(Math.ceil(missing / CATCHUP_BATCH_MAX));
        expect(status.protocol.catchupRequests).toBeLessThan(missing);
      }),
    180_000,
  );
});
