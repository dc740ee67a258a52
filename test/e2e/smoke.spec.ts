import { E2eCluster, checkLogs, retryPolicy, report } from './cluster-harness';

describe('smoke', () => {
  let cluster: E2eCluster;
  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'smoke' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  it('appends', () =>
    cluster.diagnose(async () => {
      const t0 = performance.now();
      const leader = await cluster.waitForLeader();
      report(`leader ${leader} after ${Math.round(performance.now() - t0)} ms`);
      const client = await cluster.appendClient();
      const acked = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const r = await client.appendUntilOk(`k${i}`, { stream: 's1', data: { i } }, retryPolicy());
        acked.add(r.ack.commandId);
      }
      const dup = await client.append({ stream: 's1', data: { i: 0 } }, 'k0');
      report(JSON.stringify(dup));
      await cluster.waitForConvergence();
      const { rows } = await checkLogs(cluster, acked);
      report(`rows ${rows}; promise ${JSON.stringify(await cluster.db.promise('n1'))}`);
    }), 60_000);
});
