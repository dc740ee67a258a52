import { nodeConfigFromEnv as configOf } from '../../../src/config/node-config';
import { randomJwtSecret } from '../../support/jwt-secret';
import type { AggregateStore } from '../../../src/application/aggregate-store';
import type { CommandService } from '../../../src/application/command-service';
import { SagaRuntime } from '../../../src/application/sagas/saga-runtime';
import type { ChosenEntry } from '../../../src/consensus/value';
import { type ChosenApplier, type DriverStorage, type DriverTransport, ReplicaDriver } from '../../../src/infra/nats/replica-driver';
import { seededRandom } from '../../../src/shared/random';

/** The node's settings with a JWT secret, which a node requires. */
const nodeConfigFromEnv = (env: NodeJS.ProcessEnv) => configOf({ JWT_SECRET: randomJwtSecret(), ...env });

/** What an idle node's timers do over ten seconds of a fake clock: counted, never timed. */
const IDLE_MS = 10_000;

const silentTransport: DriverTransport = { start: () => undefined, send: () => undefined, close: () => undefined };
const emptyStorage: DriverStorage = {
  load: async () => ({ promised: { round: 0, nodeId: '' }, accepted: [], chosenWatermark: 0 }),
  persist: async () => undefined,
  readChosen: async () => [],
};
const applier: ChosenApplier<{ entries: readonly ChosenEntry[] }> = {
  plan: async (entries) => ({ entries }),
  store: async () => undefined,
  written: () => undefined,
  reload: async () => undefined,
};

describe('an idle node sleeps', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('given the default node settings, then the consensus tick is the heartbeat interval and the timeouts in ms are as before', () => {
    const config = nodeConfigFromEnv({ NODE_ID: 'n1', CLUSTER_NODES: 'n1,n2,n3' });
    const ms = (ticks: number) => ticks * config.tickMs;
    expect(config.tickMs).toBe(50);
    expect(ms(config.consensus.heartbeatTicks)).toBe(50);
    expect([ms(config.consensus.electionTicksMin), ms(config.consensus.electionTicksMax)]).toEqual([300, 600]);
    expect(ms(config.consensus.retransmitTicks)).toBe(200);
  });

  it('given TICK_MS 10, then the tick counts grow so the timeouts in ms stay the same', () => {
    const { consensus } = nodeConfigFromEnv({ NODE_ID: 'n1', CLUSTER_NODES: 'n1,n2,n3', TICK_MS: '10' });
    expect([consensus.heartbeatTicks, consensus.electionTicksMin, consensus.electionTicksMax, consensus.retransmitTicks]).toEqual([5, 30, 60, 20]);
  });

  it('given a driver on the default settings, when ten seconds pass with no message, then it ticked at most 20 times a second', async () => {
    const config = nodeConfigFromEnv({ NODE_ID: 'n1', CLUSTER_NODES: 'n1,n2,n3' });
    const driver = new ReplicaDriver({ config: config.consensus, random: seededRandom(1), storage: emptyStorage, transport: silentTransport, applier, tickMs: config.tickMs, maxMessageBytes: 1 << 20, log: () => undefined });
    await driver.start();
    jest.advanceTimersByTime(IDLE_MS);
    driver.stop();
    expect(driver.counters.ticks).toBeGreaterThan(0);
    expect(driver.counters.ticks).toBeLessThanOrEqual((IDLE_MS / 1000) * 20);
  });

  it('given a saga runtime that leads no open saga, when ten seconds pass, then it looked a few times; a wake makes it look at once', () => {
    const states = { openSagas: () => [] } as unknown as AggregateStore;
    const ports = { isReadyLeader: () => true, now: () => 0, storeArchive: async () => null, log: () => undefined };
    const sagas = new SagaRuntime(states, {} as CommandService, ports, { tickMs: 50, stepDelayMs: 0 });
    sagas.start();
    jest.advanceTimersByTime(IDLE_MS);
    const idleLooks = sagas.looks;
    expect(idleLooks).toBeLessThanOrEqual(3);
    sagas.wake();
    jest.advanceTimersByTime(0);
    expect(sagas.looks).toBe(idleLooks + 1);
    sagas.stop();
  });
});
