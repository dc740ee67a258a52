import { randomBytes } from 'node:crypto';
import { type JetStreamManager, type NatsConnection, NatsError, StorageType } from 'nats';
import { assert } from '../shared/assert';
import { connectNats, inboxPrefixFor, type NatsLog } from '../infra/nats/connection';
import { type LoadResult, runLoad } from './load';
import { pollUntil } from './poll';

/** The stream the benchmark (re)creates; anything it held before a run is deleted. */
export const BENCH_STREAM = 'BENCH';
/** JetStream's API error code for "stream not found". */
const STREAM_NOT_FOUND = 10059;
/** Bounds one publish, PubAck included; a slower publish counts as an error. */
const publishTimeoutMs = 10_000;

/** One JetStream measurement. */
export interface JetStreamBenchOptions {
  /** Client URLs of the cluster, e.g. `NatsCluster.urls`. */
  readonly urls: readonly string[];
  readonly inFlight: number;
  readonly total: number;
  /** Bytes per message; default 200, about one small event. */
  readonly payloadBytes?: number;
  /** Publishes before measuring (stored, but left out of the figures); default 0. */
  readonly warmup?: number;
  /** Replication factor of the stream; default 3, which needs a cluster of at least 3 servers. */
  readonly replicas?: number;
  readonly log?: NatsLog;
}

/**
 * Recreates stream `BENCH` (subjects `bench.>`, file storage, R3) and publishes `total` messages
 * through `runLoad` at `inFlight`, each `js.publish` waiting for its PubAck: the point at which
 * the stream leader and a quorum of replicas have the message.
 *
 * Not like for like with our log: JetStream acknowledges a message once a quorum has written it
 * to the OS page cache, and fsyncs only every `sync_interval` (2 minutes by default; nats-server
 * 2.9.x cannot even change it). Our acceptors fsync (InnoDB commit with
 * `innodb_flush_log_at_trx_commit=1`) before they answer, so a whole-cluster power loss can cost
 * JetStream acknowledged messages but not us. Read JetStream's figures as an upper bound.
 *
 * @throws NatsConnectError when no server is reachable; publish failures are counted, not thrown.
 */
export async function benchJetStream(options: JetStreamBenchOptions): Promise<LoadResult> {
  const payloadBytes = options.payloadBytes ?? 200;
  assert(options.urls.length > 0, 'benchJetStream needs at least one URL');
  assert(Number.isInteger(payloadBytes) && payloadBytes >= 0, `payloadBytes must be >= 0, got ${payloadBytes}`);
  const nc = await connectNats({
    url: options.urls.join(','),
    name: 'bench-jetstream',
    inboxPrefix: inboxPrefixFor('bench'),
    log: options.log ?? (() => undefined),
  });
  try {
    const jsm = await nc.jetstreamManager({ timeout: publishTimeoutMs });
    await recreateStream(jsm, options.replicas ?? 3);
    const js = nc.jetstream({ timeout: publishTimeoutMs });
    // One payload for all: the server neither compresses nor dedups, so random bytes once suffice.
    const payload = randomBytes(payloadBytes);
    return await runLoad({
      inFlight: options.inFlight,
      total: options.total,
      warmup: options.warmup,
      send: async () => {
        await js.publish('bench.msg', payload);
      },
    });
  } finally {
    await closeQuietly(nc);
  }
}

async function recreateStream(jsm: JetStreamManager, replicas: number): Promise<void> {
  await jsm.streams.delete(BENCH_STREAM).catch((err: unknown) => {
    if (!isStreamNotFound(err)) throw err;
  });
  await jsm.streams.add({
    name: BENCH_STREAM,
    subjects: ['bench.>'],
    storage: StorageType.File,
    num_replicas: replicas,
  });
  // The first publishes would otherwise time out while the new stream's group elects its leader.
  await pollUntil(
    `stream ${BENCH_STREAM} leader with ${replicas} current replicas`,
    async () => {
      const info = await jsm.streams.info(BENCH_STREAM);
      const followers = info.cluster?.replicas ?? [];
      return (
        replicas === 1 ||
        (!!info.cluster?.leader && followers.length === replicas - 1 && followers.every((r) => r.current))
      );
    },
    { timeoutMs: 10_000, attemptsMax: 200, everyMs: 50 },
  );
}

async function closeQuietly(nc: NatsConnection): Promise<void> {
  await nc.drain().catch(() => nc.close());
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof NatsError && err.api_error?.err_code === STREAM_NOT_FOUND;
}
