import { storedOutcomes } from '../../../src/infra/mysql/event-store';
import { type TestDatabase, createTestDatabase } from '../mysql/test-database';
import { type TestDriver, gate, record, startDriver, until } from './driver-support';

/**
 * On the real MySQL and the real NATS transport (the other members are real transports the test
 * speaks through). A failed MySQL transaction makes the driver rebuild: recover() bumps the epoch, then runs
 * applier.reload() and storage.load(). It does not wait for what the old epoch still has in
 * flight: a plan() suspended on its idempotency lookup, a write loop's store(), an acceptor
 * persist. Each test below lets one of them finish at a moment the driver allows.
 */
describe('review: driver recovery races with work still in flight', () => {
  let test: TestDatabase;
  const drivers: TestDriver[] = [];
  beforeEach(async () => {
    test = await createTestDatabase();
  });
  afterEach(async () => {
    for (const d of drivers.splice(0)) await d.close();
    await new Promise((r) => setTimeout(r, 50));
    await test.drop();
  });

  async function leaderOf(db = test.db) {
    const d = await startDriver(db);
    drivers.push(d);
    await until('n1 leads', () => d.driver.status().role === 'leader');
    return d;
  }

  async function eventRows(commandId: string) {
    return test.db.selectFrom('event_log').select(['position', 'command_id']).where('command_id', '=', commandId).execute();
  }

  it('a plan suspended on its idempotency lookup when recovery starts is awaited, so the acknowledged command is written', async () => {
    // given a node that applied command 'old', then restarted (so 'old' is known only to the Bloom filter and MySQL)
    const first = await leaderOf();
    first.driver.propose([record('old', 's')]);
    await until("'old' is written", async () => (await eventRows('old')).length === 1);
    drivers.splice(0);
    await first.close();
    const d = await leaderOf();
    // and, while the plan of slot 2 [old, new] waits for its lookup of 'old', an accept fails to persist
    d.hooks.planStarted = (entries) => {
      if (!entries.some((e) => e.value.kind === 'batch' && e.value.values.some((v) => v.id === 'new'))) return;
      d.hooks.planStarted = undefined;
      d.hooks.acceptorPersist = () => {
        d.hooks.acceptorPersist = undefined;
        throw new Error('injected: MySQL went away');
      };
      d.driver.propose([record('c', 's')]);
    };
    d.driver.propose([record('old', 's'), record('new', 's')]);
    // when the driver has rebuilt, led again and applied slot 2 once more
    await until('recovered', () => d.driver.counters.recoveries === 1 && !d.driver.isRecovering);
    await until('slot 2 applied again', () => d.driver.status().appliedWatermark >= 2 && d.driver.status().role === 'leader');
    // then 'new' was acknowledged as applied at a position...
    const told = d.outcomes.filter((o) => o.commandId === 'new');
    expect(told[0]).toMatchObject({ status: 'applied', slot: 2, firstPosition: 2 });
    expect(told[0].duplicate).toBeUndefined();
    // ...and it is in the event log, whose command key is its idempotency record. Fails: the stale
    // plan left 'new' in the store's unwritten map after reload() cleared it, so the replan took
    // 'new' for a duplicate and wrote nothing; every retry is answered "duplicate, applied at
    // position 2" for ever.
    const stored = await storedOutcomes(test.db, ['new']);
    expect({ events: (await eventRows('new')).length, stored: stored.get('new') }).toEqual({ events: 1, stored: told[0] });
  });

  it('a write under way when recovery starts commits before the reload, so the node plans on the right head and versions', async () => {
    const d = await leaderOf();
    // given 'a' (log/s version 1) is chosen and its write loop call is slow to commit
    let writeCommitted = false;
    let reloadSawWrite: boolean | undefined;
    d.hooks.store = async (batches, real) => {
      if (!batches.some((b) => b.outcomes.some((o) => o.commandId === 'a'))) return real();
      d.hooks.store = undefined;
      // meanwhile an accept fails to persist: the driver rebuilds
      d.hooks.acceptorPersist = () => {
        d.hooks.acceptorPersist = undefined;
        throw new Error('injected: MySQL went away');
      };
      d.driver.propose([record('b', 'other')]);
      await new Promise((r) => setTimeout(r, 100));
      await real();
      writeCommitted = true;
    };
    d.hooks.reload = async (real) => {
      d.hooks.reload = undefined;
      reloadSawWrite = writeCommitted;
      await real();
    };
    d.driver.propose([record('a', 's')]);
    await until('recovered', () => d.driver.counters.recoveries === 1 && !d.driver.isRecovering);
    // then recovery waited for the write before reloading (before the fix it reloaded first)
    expect(reloadSawWrite).toBe(true);
    await until('n1 leads again', () => d.driver.status().role === 'leader');
    expect(d.driver.status().appliedWatermark).toBe(1); // slot 1 ('a') is stored and not replayed
    // and 'c', which expects log/s at version 1 (what 'a' made it, in every node's log), applies
    d.driver.propose([record('c', 's', 1)]);
    await until("'c' is decided", () => d.outcomes.some((o) => o.commandId === 'c'));
    await until("'c' is written", () => d.driver.status().appliedWatermark >= 2);
    const outcome = d.outcomes.find((o) => o.commandId === 'c');
    const stored = (await storedOutcomes(test.db, ['c'])).get('c');
    expect({ told: outcome?.status, stored: stored?.status }).toEqual({ told: 'applied', stored: 'applied' });
  });

  it('an acceptor persist under way when recovery starts is awaited, so the stored promise never goes backwards', async () => {
    const d = await startDriver(test.db, { members: ['n1', 'n2', 'n3'] }, 60_000);
    drivers.push(d);
    const b = (round: number, nodeId: string) => ({ round, nodeId });
    const value = { kind: 'batch' as const, values: [record('v', 's')] };
    // given n1 follows n2 (1.n2) and accepted slot 1
    await d.transport.deliver({ type: 'Phase2a', from: 'n2', to: 'n1', ballot: b(1, 'n2'), slot: 1, value, chosenWatermark: 0 });
    await until('Phase2b sent', () => d.transport.sent.some((m) => m.type === 'Phase2b'));
    // and slot 1's write will fail, and n1's promise of 5.n2 (n2 campaigning again) is slow to commit
    const writeFails = gate();
    const promiseHeld = gate();
    d.hooks.store = async () => {
      await writeFails.promise;
      throw new Error('injected: write failed');
    };
    d.hooks.acceptorPersist = async (ready) => {
      if (ready.promised?.round === 5) await promiseHeld.promise;
    };
    await d.transport.deliver({ type: 'Commit', from: 'n2', to: 'n1', ballot: b(1, 'n2'), chosenWatermark: 1 });
    await d.transport.deliver({ type: 'Phase1a', from: 'n2', to: 'n1', ballot: b(5, 'n2'), fromSlot: 1 });
    await new Promise((r) => setTimeout(r, 50));
    // when the write fails while the promise of 5.n2 is still being persisted
    writeFails.open();
    await new Promise((r) => setTimeout(r, 100));
    // then the rebuild waits for that persist (before the fix it loaded 1.n2 and went on)
    expect(d.driver.counters.recoveries).toBe(0);
    d.hooks.store = undefined;
    promiseHeld.open();
    await until('recovered', () => d.driver.counters.recoveries === 1 && !d.driver.isRecovering);
    const promised = async () => (await d.storage.load()).promised;
    expect(await promised()).toEqual(b(5, 'n2'));
    expect(d.driver.status().promised).toEqual(b(5, 'n2'));
    // and n3 asks for a promise of 3.n3
    await d.transport.deliver({ type: 'Phase1a', from: 'n3', to: 'n1', ballot: b(3, 'n3'), fromSlot: 1 });
    await until('Nack to n3', () => d.transport.sent.some((m) => m.type === 'Nack' && m.to === 'n3'));
    // then the stored promise never goes backwards (invariant 4): 3.n3 is below it and refused.
    expect(await promised()).toEqual(b(5, 'n2'));
  });
});
