import { consensusConfig } from '../../../src/consensus/config';
import type { Message } from '../../../src/consensus/messages';
import type { ChosenEntry, SlotValue } from '../../../src/consensus/value';
import { type ChosenApplier, ReplicaDriver } from '../../../src/infra/nats/replica-driver';
import { ScriptedTransport, emptyStorage } from './driver-fakes';
import { AssertionError } from '../../../src/shared/assert';
import { seededRandom } from '../../../src/shared/random';


const applier: ChosenApplier<{ entries: readonly ChosenEntry[] }> = {
  plan: async (entries) => ({ entries }),
  store: async () => undefined,
  written: () => undefined,
  reload: async () => undefined,
};

const batch = (id: string): SlotValue => ({ kind: 'batch', values: [{ id, payload: '{}' }] });
const catchupReply = (slot: number, value: SlotValue): Message => ({ type: 'CatchupReply', from: 'n2', to: 'n1', entries: [{ slot, value }], chosenWatermark: slot });

describe('fail-stop in the replica driver', () => {
  it('given slot 7 learned as chosen, when a peer says another value was chosen there, then the driver stops and the fatal hook gets the violation', async () => {
    const fatal: { where: string; error: AssertionError }[] = [];
    const transport = new ScriptedTransport();
    const driver = new ReplicaDriver({
      config: consensusConfig({ nodeId: 'n1', members: ['n1', 'n2', 'n3'] }),
      random: seededRandom(1),
      storage: emptyStorage,
      transport,
      applier,
      tickMs: 1000,
      maxMessageBytes: 1 << 20,
      log: () => undefined,
      onFatal: (where, error) => fatal.push({ where, error }),
    });
    await driver.start();
    transport.deliver(catchupReply(7, batch('a')));
    expect(fatal).toEqual([]);
    // Before: the assertion escaped to the transport, which counted a dropped message and carried on.
    expect(() => transport.deliver(catchupReply(7, batch('b')))).not.toThrow();
    expect(fatal).toHaveLength(1);
    expect(fatal[0].error).toBeInstanceOf(AssertionError);
    expect(fatal[0].error.message).toMatch(/slot 7 chosen twice with different values/);
    expect(fatal[0].where).toMatch(/CatchupReply from n2/);
    // Stopped: it takes no further message (a third value would otherwise be a second violation).
    transport.deliver(catchupReply(7, batch('c')));
    expect(fatal).toHaveLength(1);
    expect(driver.propose([{ id: 'x', payload: '{}' }])).toEqual({ status: 'no-leader' });
  });
});
