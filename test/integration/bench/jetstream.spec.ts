import { existsSync } from 'node:fs';
import { benchJetStream } from '../../../src/bench/jetstream';
import { type NatsCluster, startNatsCluster } from '../../../src/bench/nats-cluster';
import { isPidAlive, pidsWithArgument } from '../../support/processes';

/** Starts its own 3-server JetStream cluster from /usr/sbin/nats-server on spare loopback ports. */
describe('benchJetStream on a 3-server cluster (real nats-server)', () => {
  let cluster: NatsCluster | undefined;

  beforeAll(async () => {
    cluster = await startNatsCluster({ readyTimeoutMs: 20_000 });
  }, 30_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 20_000);

  it('starts 3 servers on 127.0.0.1 with distinct ports', () => {
    expect(cluster!.urls).toHaveLength(3);
    expect(new Set(cluster!.urls).size).toBe(3);
    for (const url of cluster!.urls) expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster!.pids.every(isPidAlive)).toBe(true);
  });

  it.each([1, 16])('publishes 200 messages to the R3 stream at in-flight %i without errors', async (inFlight) => {
    const result = await benchJetStream({ urls: cluster!.urls, inFlight, total: 200, payloadBytes: 200 });
    expect(result.ops).toBe(200);
    expect(result.errors).toBe(0);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
    expect(result.opsPerSec).toBeGreaterThan(0);
  });

  it('stop() leaves no nats-server process and no temp dir behind', async () => {
    const { pids, rootDir } = cluster!;
    await cluster!.stop();
    await cluster!.stop(); // idempotent
    expect(pids.filter(isPidAlive)).toEqual([]);
    expect(pidsWithArgument(rootDir)).toEqual([]);
    expect(existsSync(rootDir)).toBe(false);
  });
});
