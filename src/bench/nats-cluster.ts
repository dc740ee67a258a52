import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamManager, StorageType } from 'nats';
import { assert } from '../shared/assert';
import { connectNats, inboxPrefixFor, type NatsLog } from '../infra/nats/connection';
import { NatsServerChild } from './nats-server-child';
import { pollUntil } from './poll';
import { canConnect, findFreePorts } from './ports';

/** A cluster start is retried only when a server died early (a spare port taken meanwhile). */
export const clusterStartAttemptsMax = 3;
/** Pause between readiness probes. */
const probeEveryMs = 100;
/** Bounds the probe count independently of the timeout, so a fast-failing probe cannot spin. */
const probeAttemptsMax = 1000;
/** A throwaway stream whose R-n creation proves the cluster formed and has a JetStream meta leader. */
const PROBE_STREAM = 'BENCH_READY';

/** How to start the benchmark's NATS cluster. */
export interface NatsClusterOptions {
  /** Number of servers; default 3 (every server routes to all others). */
  readonly servers?: number;
  readonly clusterName?: string;
  /** Bound on one start attempt until JetStream can place an R-n stream; default 20 000 ms. */
  readonly readyTimeoutMs?: number;
  readonly binary?: string;
  readonly log?: NatsLog;
}

/** A running cluster owned by this process. */
export interface NatsCluster {
  /** Client URLs, one per server, e.g. `nats://127.0.0.1:41234`. */
  readonly urls: readonly string[];
  readonly pids: readonly number[];
  /** The temp folder holding each server's store dir and log; removed by `stop()`. */
  readonly rootDir: string;
  /** Stops every server (SIGTERM, then SIGKILL) and removes the temp folder; idempotent. */
  stop(): Promise<void>;
}

/** A server process ended while the cluster was starting. */
export class NatsServerExitedError extends Error {
  override readonly name = 'NatsServerExitedError';
}

/**
 * Starts a JetStream cluster of `servers` nats-servers on spare loopback ports, each with its own
 * temp store dir, and resolves once JetStream accepts a stream replicated on every server. If this
 * process exits without `stop()`, an exit hook kills the servers, so none outlive the benchmark.
 *
 * @throws NatsServerExitedError when servers kept dying at start (`clusterStartAttemptsMax` tries).
 * @throws PollTimeoutError when the cluster did not become ready within `readyTimeoutMs`.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (!(err instanceof NatsServerExitedError) || attempt >= clusterStartAttemptsMax) throw err;
      options.log?.('warn', `NATS cluster start attempt ${attempt} failed, retrying: ${err.message}`);
    }
  }
}

async function startOnce(options: NatsClusterOptions): Promise<NatsCluster> {
  const size = options.servers ?? 3;
  assert(Number.isInteger(size) && size >= 1 && size <= 7, `cluster size must be 1..7, got ${size}`);
  const ports = await findFreePorts(2 * size);
  const rootDir = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const children = Array.from({ length: size }, (_, i) => {
    const dir = join(rootDir, `n${i + 1}`);
    mkdirSync(dir);
    const routePorts = ports.slice(size).filter((_, j) => j !== i);
    return NatsServerChild.start({
      serverName: `bench-n${i + 1}`,
      clusterName: options.clusterName ?? 'bench',
      clientPort: ports[i],
      clusterPort: ports[size + i],
      routePorts,
      storeDir: join(dir, 'store'),
      logFile: join(dir, 'nats-server.log'),
      binary: options.binary,
    });
  });
  const cluster = ownCluster(children, rootDir);
  try {
    await waitUntilReady(children, options);
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

function ownCluster(children: readonly NatsServerChild[], rootDir: string): NatsCluster {
  // Synchronous on purpose: on process exit no promise gets to run.
  const onExit = (): void => {
    children.forEach((c) => c.killNow());
    rmSync(rootDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stopped: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    const results = await Promise.allSettled(children.map((c) => c.stop()));
    rmSync(rootDir, { recursive: true, force: true, maxRetries: 3 });
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0)
      throw new AggregateError(
        failures.map((f) => f.reason),
        'some nats-servers did not stop',
      );
  };
  return {
    urls: children.map((c) => c.url),
    pids: children.map((c) => c.pid).filter((pid): pid is number => pid !== undefined),
    rootDir,
    stop: () => (stopped ??= stop()),
  };
}

async function waitUntilReady(children: readonly NatsServerChild[], options: NatsClusterOptions): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  const limits = () => ({
    timeoutMs: Math.max(0, deadline - Date.now()),
    attemptsMax: probeAttemptsMax,
    everyMs: probeEveryMs,
    isFatal: (err: unknown) => err instanceof NatsServerExitedError,
  });
  const assertAlive = (): void => {
    const dead = children.find((c) => c.exited);
    if (dead) throw new NatsServerExitedError(dead.describeExit());
  };
  await pollUntil(
    'all nats-servers accepting clients',
    async () => {
      assertAlive();
      return (await Promise.all(children.map((c) => canConnect(c.spec.clientPort)))).every(Boolean);
    },
    limits(),
  );
  const nc = await connectNats({
    url: children.map((c) => c.url).join(','),
    name: 'bench-cluster-probe',
    inboxPrefix: inboxPrefixFor('bench'),
    log: options.log ?? (() => undefined),
  });
  try {
    const jsm = await nc.jetstreamManager({ timeout: 2000, checkAPI: false });
    await pollUntil(
      `JetStream R${children.length} stream placement`,
      async () => {
        assertAlive();
        return placeProbeStream(jsm, children.length);
      },
      limits(),
    );
  } finally {
    await nc.close();
  }
}

// Succeeds only once routes are up between all servers and the meta group has a leader.
async function placeProbeStream(jsm: JetStreamManager, replicas: number): Promise<boolean> {
  await jsm.streams.add({
    name: PROBE_STREAM,
    subjects: ['bench-ready.>'],
    storage: StorageType.Memory,
    num_replicas: replicas,
  });
  await jsm.streams.delete(PROBE_STREAM);
  return true;
}

