import { DEFAULT_SAGA_SETTINGS, type SagaSettings, decideStartArchive } from '../../src/sagas';
import { SagaWorldUnderTest, T0, admin, ids } from './saga-test-world';

const settings: SagaSettings = { ...DEFAULT_SAGA_SETTINGS, chunkStudentsMax: 2, storeTimeoutMs: 3000 };
const SAGA = 'saga-a1';

/** Given students s-1..s-n of 7a whose scores moved away from 100, and a started archive of 7a. */
function givenArchive(n: number): SagaWorldUnderTest {
  const world = new SagaWorldUnderTest();
  world.register(ids(n));
  ids(n).forEach((id, i) => world.patch(id, { score: 100 + i }));
  const data = { sagaId: SAGA, semester: '2025-spring', className: '7a', studentIds: ids(n), busy: null };
  const decision = decideStartArchive(world.saga, data, { actor: admin, now: T0 }, settings);
  if (!decision.ok) throw new Error(decision.error.message);
  world.apply(decision.events);
  return world;
}

const scores = (world: SagaWorldUnderTest, n: number) => ids(n).map((id) => world.student(id).score);

describe('semester archive saga', () => {
  it('when it runs, then it freezes with a snapshot, stores, resets to the initial score, unfreezes and completes', () => {
    const world = givenArchive(3);
    world.runToRest({ ok: true });
    expect(world.saga.status).toBe('completed');
    expect(scores(world, 3)).toEqual([100, 100, 100]);
    expect(ids(3).every((id) => !world.student(id).frozen)).toBe(true);
    expect(world.saga.snapshot.map((s) => [s.studentId, s.score])).toEqual([['s-1', 100], ['s-2', 101], ['s-3', 102]]);
    const resets = world.eventsOf('ScoreModified').map((e) => e.data);
    expect(resets).toEqual([expect.objectContaining({ studentId: 's-2', delta: -1, source: 'archive-reset', sagaId: SAGA }), expect.objectContaining({ studentId: 's-3', delta: -2 })]);
    expect(world.log.slice(-2).map((e) => e.type)).toEqual(['ArchiveCompleted', 'SagaCompleted']);
  });

  it('given the freeze applied, when the store starts, then its deadline is decided into the log and the step awaits the answer', () => {
    const world = givenArchive(3);
    world.step();
    world.step();
    expect(world.decide()).toEqual({ type: 'StartExternalStep', commandId: `${SAGA}/store/start`, step: 'store' });
    world.step();
    expect(world.saga.external).toEqual({ step: 'store', deadline: new Date(T0 + 3000).toISOString() });
    expect(world.decide()).toMatchObject({ type: 'AwaitExternalStep', commandId: `${SAGA}/store/result` });
  });

  it('given the records service does not answer by the deadline, then StepTimedOut, the class is unfrozen, the snapshot discarded, scores unchanged', () => {
    const world = givenArchive(3);
    for (let i = 0; i < 3; i++) world.step();
    world.now = T0 + 3000;
    expect(world.decide()).toEqual({ type: 'TimeOutStep', commandId: `${SAGA}/store/result`, step: 'store' });
    world.runToRest();
    expect(world.saga.status).toBe('compensated');
    expect(world.saga.failure?.reasons[0].code).toBe('timeout');
    expect(scores(world, 3)).toEqual([100, 101, 102]);
    expect(ids(3).some((id) => world.student(id).frozen)).toBe(false);
    expect(world.log.slice(-2).map((e) => e.type)).toEqual(['ArchiveDiscarded', 'SagaCompensated']);
    expect(world.eventsOf('ScoreModified')).toHaveLength(0);
  });

  it('given the records service refuses, then the archive compensates with its reason', () => {
    const world = givenArchive(3);
    world.runToRest({ ok: false, message: 'disk full' });
    expect(world.saga.status).toBe('compensated');
    expect(world.saga.failure).toEqual({ step: 'store', reasons: [{ code: 'external', message: 'disk full' }] });
    expect(scores(world, 3)).toEqual([100, 101, 102]);
    expect(world.eventsOf('StudentUnfrozen')).toHaveLength(3);
  });

  it('given a student already frozen, then the freeze fails naming them and the chunks frozen before are thawed', () => {
    const world = givenArchive(3);
    world.patch('s-3', { frozen: true });
    world.runToRest();
    expect(world.saga.failure).toEqual({ step: 'freeze:1', reasons: [expect.objectContaining({ studentId: 's-3', code: 'conflict' })] });
    expect([world.student('s-1').frozen, world.student('s-2').frozen, world.student('s-3').frozen]).toEqual([false, false, true]);
    expect(world.eventsOf('ArchiveDiscarded')).toHaveLength(1);
  });

  it('refuses a start without students, or while another archive of the semester runs', () => {
    const world = new SagaWorldUnderTest();
    const ctx = { actor: admin, now: T0 };
    const base = { sagaId: SAGA, semester: '2025-spring', className: '7a' };
    expect(decideStartArchive(world.saga, { ...base, studentIds: [], busy: null }, ctx, settings)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(decideStartArchive(world.saga, { ...base, studentIds: ['s-1'], busy: 'saga-x' }, ctx, settings)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});
