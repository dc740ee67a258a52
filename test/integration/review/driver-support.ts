import type { Kysely } from 'kysely';
import { type ConsensusConfigInput, consensusConfig } from '../../../src/consensus/config';
import type { Message } from '../../../src/consensus/messages';
import type { Ready } from '../../../src/consensus/ready';
import type { ChosenEntry, ClientValue } from '../../../src/consensus/value';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import type { CommandOutcome } from '../../../src/infra/mysql/command-record';
import type { Database } from '../../../src/infra/mysql/database';
import { EventStore, type PlannedBatch } from '../../../src/infra/mysql/event-store';
import { type ChosenApplier, type DriverStorage, type DriverTransport, ReplicaDriver } from '../../../src/infra/nats/replica-driver';
import { seededRandom } from '../../../src/shared/random';

/** A transport that keeps what the driver sends and lets the test deliver messages. */
export class FakeTransport implements DriverTransport {
  readonly sent: Message[] = [];
  private onMessage: ((m: Message) => void) | undefined;
  start(onMessage: (m: Message) => void): void {
    this.onMessage = onMessage;
  }
  send(messages: readonly Message[]): void {
    this.sent.push(...messages);
  }
  close(): void {}
  deliver(m: Message): void {
    this.onMessage?.(m);
  }
}

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
  readonly transport: FakeTransport;
  readonly hooks: Hooks;
  readonly outcomes: CommandOutcome[];
  readonly logs: string[];
}

/** A real ReplicaDriver on real MySQL storage and a real EventStore, with a fake transport. */
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
    pruneAccepted: (u) => storage.pruneAccepted(u),
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
  const transport = new FakeTransport();
  const nodeId = config.nodeId ?? 'n1';
  const members = config.members ?? ['n1'];
  const consensus = consensusConfig({ heartbeatTicks: 3, electionTicksMin: 10, electionTicksMax: 20, retransmitTicks: 10, ...config, nodeId, members });
  const driver = new ReplicaDriver<PlannedBatch>({
    config: consensus,
    random: seededRandom(7),
    storage: driverStorage,
    transport,
    applier,
    tickMs,
    maxMessageBytes: 1_000_000,
    log: (level, message) => void logs.push(`${level} ${message}`),
  });
  await driver.start();
  return { driver, events, storage, transport, hooks, outcomes, logs };
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
