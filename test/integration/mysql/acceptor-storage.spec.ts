import { BALLOT_ZERO, type Ballot } from '../../../src/consensus/ballot';
import type { Ready } from '../../../src/consensus/ready';
import { NOOP, type AcceptedEntry, type ChosenEntry, type SlotValue } from '../../../src/consensus/value';
import { MysqlAcceptorStorage } from '../../../src/infra/mysql/acceptor-storage';
import { CHOSEN_WATERMARK_META } from '../../../src/infra/mysql/chosen-watermark';
import { readMeta, raiseMeta } from '../../../src/infra/mysql/paxos-meta';
import { AssertionError } from '../../../src/shared/assert';
import { clearPaxosTables, createTestDatabase, type TestDatabase } from './test-database';

const b = (round: number, nodeId: string): Ballot => ({ round, nodeId });
const batch = (...ids: string[]): SlotValue => ({
  kind: 'batch',
  values: ids.map((id) => ({ id, payload: `{"cmd":"${id}","note":"ä ✓ 🎓 'q'"}` })),
});
const accept = (slot: number, ballot: Ballot, value: SlotValue): AcceptedEntry => ({ slot, ballot, value });
const chosen = (slot: number, value: SlotValue = batch(`c${slot}`)): ChosenEntry => ({ slot, value });
const ready = (parts: Partial<Ready>): Ready => ({ accepted: [], chosen: [], messages: [], sendFirst: [], ...parts });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('MysqlAcceptorStorage', () => {
  let test: TestDatabase;
  let storage: MysqlAcceptorStorage;

  beforeAll(async () => {
    test = await createTestDatabase();
    storage = new MysqlAcceptorStorage(test.db);
  });
  beforeEach(async () => {
    await clearPaxosTables(test.db);
  });
  afterAll(async () => {
    await test.drop();
  });

  describe('load and persist', () => {
    it('given nothing stored, loads the state of a fresh acceptor', async () => {
      expect(await storage.load()).toEqual({ promised: BALLOT_ZERO, accepted: [], chosenWatermark: 0, configChanges: [] });
    });

    it('given a persisted ready, loads what it stored', async () => {
      const accepted = [
        accept(1, b(3, 'n2'), batch('a', 'b')),
        accept(2, b(3, 'n2'), NOOP),
        accept(2 ** 40, b(3, 'n2'), batch('big')),
      ];
      await storage.persist(ready({ promised: b(3, 'n2'), accepted }));
      expect(await storage.load()).toEqual({ promised: b(3, 'n2'), accepted, chosenWatermark: 0, configChanges: [] });
    });

    it('upserts the promise, and leaves it alone when a ready carries none', async () => {
      await storage.persist(ready({ promised: b(1, 'n1') }));
      await storage.persist(ready({ promised: b(4, 'n3') }));
      await storage.persist(ready({ accepted: [accept(1, b(4, 'n3'), NOOP)] }));
      expect((await storage.load()).promised).toEqual(b(4, 'n3'));
    });

    it('a later accept of a slot replaces an earlier one', async () => {
      await storage.persist(ready({ accepted: [accept(1, b(1, 'n1'), batch('old'))] }));
      await storage.persist(ready({ accepted: [accept(1, b(2, 'n2'), batch('new'))] }));
      expect((await storage.load()).accepted).toEqual([accept(1, b(2, 'n2'), batch('new'))]);
    });

    it('within one ready, the later accept of a slot wins', async () => {
      const entries = [
        accept(2, b(1, 'n1'), batch('x')),
        accept(1, b(1, 'n1'), batch('first')),
        accept(1, b(2, 'n1'), batch('second')),
      ];
      await storage.persist(ready({ accepted: entries }));
      expect((await storage.load()).accepted).toEqual([
        accept(1, b(2, 'n1'), batch('second')),
        accept(2, b(1, 'n1'), batch('x')),
      ]);
    });

    it('persists values larger than one INSERT carries, in several statements', async () => {
      const big = (slot: number): AcceptedEntry =>
        accept(slot, b(1, 'n1'), { kind: 'batch', values: [{ id: `v${slot}`, payload: '"x"'.repeat(400_000) }] });
      const accepted = range(1, 12).map(big);
      await storage.persist(ready({ accepted, chosen: range(1, 12).map((s) => chosen(s, accepted[s - 1].value)) }));
      expect((await storage.readChosen(1, 100)).map((e) => e.value)).toEqual(accepted.map((e) => e.value));
    });
  });

  describe('chosen watermark', () => {
    it('chosen 1..3 over accepts of 1..6: the watermark is 3, the chosen values replace the accepts, and only accepts above it load', async () => {
      await storage.persist(
        ready({
          accepted: range(1, 6).map((s) => accept(s, b(1, 'n1'), batch(`a${s}`))),
          chosen: range(1, 3).map((s) => chosen(s)),
        }),
      );
      const state = await storage.load();
      expect(state.chosenWatermark).toBe(3);
      expect(state.accepted.map((e) => e.slot)).toEqual([4, 5, 6]);
      expect(await readMeta(test.db, CHOSEN_WATERMARK_META)).toBe(3);
      // One row per slot: the chosen value overwrote the accept and kept its ballot.
      const rows = await test.db.selectFrom('paxos_accepted').selectAll().orderBy('slot').execute();
      expect(rows.map((r) => [r.slot, r.ballot_round, r.ballot_node])).toEqual(range(1, 6).map((s) => [s, 1, 'n1']));
      expect(await storage.readChosen(1, 10)).toEqual(range(1, 3).map((s) => chosen(s)));
    });

    it('a slot learned without an accept gets a row of ballot zero', async () => {
      await storage.persist(ready({ chosen: [chosen(1)] }));
      expect(await test.db.selectFrom('paxos_accepted').selectAll().execute()).toEqual([
        expect.objectContaining({ slot: 1, ballot_round: 0, ballot_node: '' }),
      ]);
    });

    it('chosen entries that leave a gap after the watermark are refused, and nothing of the ready is stored', async () => {
      await storage.persist(ready({ chosen: [chosen(1)] }));
      await expect(storage.persist(ready({ promised: b(5, 'n2'), chosen: [chosen(3), chosen(4)] }))).rejects.toThrow(
        'chosen slot 3 stored after slot 1: the chosen log would have a gap',
      );
      await expect(storage.persist(ready({ chosen: [chosen(2), chosen(4)] }))).rejects.toThrow(AssertionError);
      expect(await storage.load()).toEqual({ promised: BALLOT_ZERO, accepted: [], chosenWatermark: 1, configChanges: [] });
    });

    it('the log is kept: accepts of chosen slots are never pruned, and a later accept of a chosen slot keeps the chosen value', async () => {
      await storage.persist(ready({ accepted: range(1, 5).map((s) => accept(s, b(1, 'n1'), batch(`c${s}`))), chosen: range(1, 5).map((s) => chosen(s)) }));
      await storage.persist(ready({ accepted: [accept(2, b(7, 'n3'), batch('c2'))] }));
      expect(await test.db.selectFrom('paxos_accepted').select('slot').orderBy('slot').execute()).toHaveLength(5);
      expect(await storage.readChosen(1, 10)).toEqual(range(1, 5).map((s) => chosen(s)));
      expect((await storage.load()).accepted).toEqual([]);
    });
  });

  describe('chosen entries', () => {
    it('reads chosen entries in contiguous batches', async () => {
      await storage.persist(ready({ chosen: range(1, 25).map((s) => chosen(s)) }));
      expect((await storage.readChosen(1, 10)).map((e) => e.slot)).toEqual(range(1, 10));
      expect((await storage.readChosen(11, 10)).map((e) => e.slot)).toEqual(range(11, 20));
      expect(await storage.readChosen(21, 10)).toEqual(range(21, 25).map((s) => chosen(s)));
      expect(await storage.readChosen(26, 10)).toEqual([]);
    });

    it('a batch stops at the watermark: accepts above it are not chosen', async () => {
      await storage.persist(ready({ accepted: range(1, 5).map((s) => accept(s, b(1, 'n1'), batch(`c${s}`))), chosen: range(1, 3).map((s) => chosen(s)) }));
      expect((await storage.readChosen(2, 10)).map((e) => e.slot)).toEqual([2, 3]);
      expect(await storage.readChosen(4, 10)).toEqual([]);
    });

    it('storing a chosen entry again with the same value is harmless', async () => {
      await storage.persist(ready({ chosen: [chosen(1), chosen(2)] }));
      await storage.persist(ready({ chosen: [chosen(2), chosen(1), chosen(3), chosen(3)] }));
      expect(await storage.readChosen(1, 10)).toEqual([chosen(1), chosen(2), chosen(3)]);
    });

    it('given slot 1 chosen, choosing another value there fails and stores nothing of that ready', async () => {
      await storage.persist(ready({ promised: b(1, 'n1'), chosen: [chosen(1, batch('x'))] }));
      const conflicting = ready({
        promised: b(9, 'n3'),
        accepted: [accept(7, b(9, 'n3'), batch('y'))],
        chosen: [chosen(1, batch('y')), chosen(2)],
      });
      const attempt = storage.persist(conflicting);
      await expect(attempt).rejects.toBeInstanceOf(AssertionError);
      await expect(attempt).rejects.toThrow('safety violation: slot 1 chosen with two different values');
      expect(await storage.load()).toEqual({ promised: b(1, 'n1'), accepted: [], chosenWatermark: 1, configChanges: [] });
      expect(await storage.readChosen(1, 10)).toEqual([chosen(1, batch('x'))]);
    });

    it('one ready choosing two values for one slot is refused before any write', async () => {
      await expect(storage.persist(ready({ chosen: [chosen(1, batch('x')), chosen(1, NOOP)] }))).rejects.toThrow(
        AssertionError,
      );
      expect(await storage.readChosen(1, 10)).toEqual([]);
    });
  });

  describe('extra statements', () => {
    it('commit with the ready', async () => {
      await storage.persist(ready({ chosen: [chosen(1)] }), async (trx) => raiseMeta(trx, 'applied_slot', 1));
      expect(await readMeta(test.db, 'applied_slot')).toBe(1);
    });

    it('roll the ready back when they fail', async () => {
      const failing = async (): Promise<void> => {
        throw new Error('event store down');
      };
      await expect(storage.persist(ready({ promised: b(2, 'n2'), chosen: [chosen(1)] }), failing)).rejects.toThrow(
        'event store down',
      );
      expect(await storage.load()).toEqual({ promised: BALLOT_ZERO, accepted: [], chosenWatermark: 0, configChanges: [] });
    });
  });
});
