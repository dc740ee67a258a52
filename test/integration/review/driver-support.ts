import type { Kysely } from 'kysely';
import { type ConsensusConfigInput, consensusConfig } from '../../../src/consensus/config';
import type { Message } from '../../../src/consensus/messages';
import type { Ready } from '../../../src/consensus/ready';
import type { ChosenEntry, ClientValue } from '../../../src/consensus/value';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import type { CommandOutcome } from '../../../src/application/command-log';
import type { Database } from '../../../src/infra/mysql/database';
import { EventStore, type PlannedBatch } from '../../../src/infra/mysql/event-store';
import { type ChosenApplier, type DriverStorage, ReplicaDriver } from '../../../src/infra/nats/replica-driver';
import { connectNats, inboxPrefixFor } from '../../../src/infra/nats/connection';
import { NatsProtocolTransport } from '../../../src/infra/nats/protocol-transport';
import { seededRandom } from '../../../src/shared/random';
import { NATS_URL, type TestNode, startNode, stopNodes, uniqueCluster } from '../nats/nats-test-support';

/**
 * The driver's peers on the real NATS: each other member is a real NatsProtocolTransport on its own
 * connection, in a cluster no other test uses. What the driver sends them lands in `sent`;
 * `deliver` has the message's sender publish it to the driver over NATS.
 */
export class NatsPeers {
  readonly sent: Message[] = [];

  private constructor(private readonly peers: ReadonlyMap<string, TestNode>) {}

  static async start(cluster: string, members: readonly string[], self: string): Promise<NatsPeers> {
    const peers = new Map<string, TestNode>();
    const net = new NatsPeers(peers);
    for (const id of members.filter((m) => m !== self)) {
      peers.set(id, await startNode({ cluster, self: id, members: [...members], maxBytes: MAX_MESSAGE_BYTES }, { onMessage: (m) => void net.sent.push(m) }));
    }
    return net;
  }

  /** The peer `m.from` sends `m` over NATS; resolves once the server has it. */
  async deliver(m: Message): Promise<void> {
    const peer = this.peers.get(m.from);
    if (!peer) throw new Error(`no peer ${m.from}`);
    peer.transport.send([m]);
    await peer.nc.flush();
  }

  close(): Promise<void> {
    return stopNodes([...this.peers.values()]);
  }
}

const MAX_MESSAGE_BYTES = 1_000_000;

/** Hooks a test puts around the real storage and event store, to time an interleaving. */
export interface Hooks {
  /** Runs before each acceptor-loop persist reaches MySQL; throw to fail it. */
  acceptorPersist?: (ready: Ready) => Promise<void> | void;
  /** Runs when plan() has started (it is suspended at its first await), before it is awaited. */
  planStarted?: (entries: readonly ChosenEntry[]) => void;
  /** Wraps the write loop's store(). */
  store?: (batches: readonly PlannedBatch[], real: () => Promise<void>) => Promise<void>;
  /** Wraps reload() during a recovery. */
  reload?: (real: () => Promise<void>) => Promise<void>;
}

export interface TestDriver {
  readonly driver: ReplicaDriver<PlannedBatch>;
  readonly events: EventStore;
  readonly storage: MysqlAcceptorStorage;
  /** The other members, on the real NATS. */
  readonly transport: NatsPeers;
  readonly hooks: Hooks;
  readonly outcomes: CommandOutcome[];
  readonly logs: string[];
  /** Stops the driver and closes every NATS connection of the test. */
  close(): Promise<void>;
}

/** A real ReplicaDriver on real MySQL storage, a real EventStore and the real NATS transport. */
export async function startDriver(db: Kysely<Database>, config: Partial<ConsensusConfigInput> & { nodeId?: string; members?: string[] } = {}, tickMs = 2): Promise<TestDriver> {
  const storage = new MysqlAcceptorStorage(db);
  const events = new EventStore(db);
  await events.load();
  const hooks: Hooks = {};
  const outcomes: CommandOutcome[] = [];
  const logs: string[] = [];
  events.onOutcomes((o) => outcomes.push(...o));
  const driverStorage: DriverStorage = {
    load: () => storage.load(),
    persist: async (ready) => {
      if (hooks.acceptorPersist) await hooks.acceptorPersist(ready);
      return storage.persist(ready);
    },
    readChosen: (f, m) => storage.readChosen(f, m),
  };
  const applier: ChosenApplier<PlannedBatch> = {
    plan: (entries) => {
      const planned = events.plan(entries);
      hooks.planStarted?.(entries);
      return planned;
    },
    store: (batches) => (hooks.store ? hooks.store(batches, () => events.store(batches)) : events.store(batches)),
    written: (batch) => events.written(batch),
    reload: () => (hooks.reload ? hooks.reload(() => events.reload()) : events.reload()),
  };
  const nodeId = config.nodeId ?? 'n1';
  const members = config.members ?? ['n1'];
  const cluster = uniqueCluster();
  const nc = await connectNats({ url: NATS_URL, name: `test-${cluster}-${nodeId}`, inboxPrefix: inboxPrefixFor('test'), log: () => undefined });
  const own = new NatsProtocolTransport(nc, { cluster, self: nodeId, members, maxBytes: MAX_MESSAGE_BYTES });
  const transport = await NatsPeers.start(cluster, members, nodeId);
  const consensus = consensusConfig({ heartbeatTicks: 3, electionTicksMin: 10, electionTicksMax: 20, retransmitTicks: 10, ...config, nodeId, members });
  const driver = new ReplicaDriver<PlannedBatch>({
    config: consensus,
    random: seededRandom(7),
    storage: driverStorage,
    transport: own,
    applier,
    tickMs,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    log: (level, message) => void logs.push(`${level} ${message}`),
  });
  await driver.start();
  await nc.flush(); // the driver's subscriptions are on the server before a peer sends
  const close = async (): Promise<void> => {
    driver.stop();
    await transport.close();
    if (!nc.isClosed()) await nc.close();
  };
  return { driver, events, storage, transport, hooks, outcomes, logs, close };
}

/** A log-append command record: one event on stream `log/<stream>`, optionally expecting a version. */
export function record(id: string, stream: string, expected?: number): ClientValue {
  const payload = JSON.stringify({
    events: [{ streamType: 'log', streamId: stream, type: 'RecordAppended', schemaVersion: 1, data: { id } }],
    ...(expected === undefined ? {} : { expected: { [`log/${stream}`]: expected } }),
  });
  return { id, payload };
}

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise and the function that settles it, for holding a step of the interleaving. */
export function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void; fail: (e: Error) => void } {
  let open!: (v: T) => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}
