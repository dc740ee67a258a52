import { DEFAULT_SAGA_SETTINGS, type SagaSettings, decideRetrySaga, decideStartBatch, sagaCommandStreams } from '../../src/sagas';
import { SagaWorldUnderTest, T0, admin, ids } from './saga-test-world';

const settings: SagaSettings = { ...DEFAULT_SAGA_SETTINGS, chunkStudentsMax: 2 };
const SAGA = 'saga-b1';

/** Given students s-1..s-n at 100 and a started batch of `delta` each (chunks of 2). */
function givenBatch(n: number, delta = 5): SagaWorldUnderTest {
  const world = new SagaWorldUnderTest();
  world.register(ids(n));
  const changes = ids(n).map((studentId) => ({ studentId, delta }));
  const decision = decideStartBatch(world.saga, { sagaId: SAGA, reason: 'sports day', changes }, { actor: admin, now: T0 }, settings);
  if (!decision.ok) throw new Error(decision.error.message);
  world.apply(decision.events);
  return world;
}

describe('batch adjustment saga', () => {
  it('given a started batch, when decided, then the first chunk runs under an id of saga and step', () => {
    const world = givenBatch(5);
    expect(world.saga.input).toMatchObject({ kind: 'batch', chunkSize: 2 });
    expect(world.decide()).toEqual({
      type: 'RunStep',
      commandId: `${SAGA}/chunk:0`,
      step: 'chunk:0',
      action: { type: 'modify', changes: [{ studentId: 's-1', delta: 5 }, { studentId: 's-2', delta: 5 }] },
    });
  });

  it('when a chunk runs, then it is one entry: each ScoreModified (source batch, naming the saga) and StepSucceeded', () => {
    const world = givenBatch(5);
    const entry = world.run(world.decide()!);
    expect(entry.events.map((e) => e.type)).toEqual(['ScoreModified', 'ScoreModified', 'StepSucceeded']);
    expect(entry.events[0].data).toMatchObject({ studentId: 's-1', delta: 5, source: 'batch', sagaId: SAGA, newScore: 105 });
    expect(entry.events[2].data).toMatchObject({ step: 'chunk:0', applied: [{ studentId: 's-1', delta: 5 }, { studentId: 's-2', delta: 5 }] });
    expect(entry.expected).toEqual({ 'student/s-1': 1, 'student/s-2': 1, 'saga/saga-b1': 1 });
  });

  it('the streams a step locks are those its entry relies on, also when the step fails and for its compensation', () => {
    const world = givenBatch(5);
    const first = world.decide()!;
    expect(sagaCommandStreams(world.saga, first).sort()).toEqual(Object.keys(world.run(first).expected).sort());
    world.step();
    world.patch('s-4', { frozen: true });
    const failing = world.decide()!;
    // The failed step's entry relies on the saga alone, but its students are locked all the same.
    expect(sagaCommandStreams(world.saga, failing)).toEqual(['saga/saga-b1', 'student/s-3', 'student/s-4']);
    world.step();
    const undo = world.decide()!;
    expect(undo.type).toBe('CompensateStep');
    expect(sagaCommandStreams(world.saga, undo).sort()).toEqual(Object.keys(world.run(undo).expected).sort());
  });

  it('given every student can take the change, then all change once and the saga completes', () => {
    const world = givenBatch(5);
    world.runToRest();
    expect(world.saga.status).toBe('completed');
    expect(ids(5).map((id) => world.student(id).score)).toEqual([105, 105, 105, 105, 105]);
    expect(world.eventsOf('ScoreModified')).toHaveLength(5);
    expect(world.decide()).toBeNull();
  });

  it('given s-4 frozen mid-way, then its chunk fails naming s-4 and why, earlier chunks are compensated, scores are back', () => {
    const world = givenBatch(5);
    world.step();
    world.patch('s-4', { frozen: true });
    world.runToRest();
    expect(world.saga.status).toBe('compensated');
    expect(world.saga.failure).toEqual({ step: 'chunk:1', reasons: [{ studentId: 's-4', code: 'conflict', message: 'student s-4 is frozen: cannot change the score' }] });
    expect(ids(5).map((id) => world.student(id).score)).toEqual([100, 100, 100, 100, 100]);
    const compensations = world.eventsOf('ScoreModified').filter((e) => (e.data as { source: string }).source === 'compensation');
    expect(compensations.map((e) => e.data)).toEqual([
      expect.objectContaining({ studentId: 's-1', delta: -5, sagaId: SAGA }),
      expect.objectContaining({ studentId: 's-2', delta: -5, sagaId: SAGA }),
    ]);
    expect(world.eventsOf('SagaCompensated')).toHaveLength(1);
  });

  it('given an unknown student and one out of range in one chunk, then the failure names both', () => {
    const world = givenBatch(2, 150);
    world.students.delete('s-2');
    world.patch('s-1', { score: 100 });
    world.runToRest();
    expect(world.saga.status).toBe('compensated');
    expect(world.saga.failure?.reasons.map((r) => [r.studentId, r.code])).toEqual([
      ['s-1', 'rule-broken'],
      ['s-2', 'not-found'],
    ]);
  });

  it('given a compensation that fails, then the saga waits for an operator; an admin retry completes it under new ids', () => {
    const world = givenBatch(5, 50);
    world.step();
    world.patch('s-5', { archived: true });
    world.patch('s-1', { score: 20 }); // someone took 130 off after the batch: -50 would leave the range
    world.runToRest();
    expect(world.saga.needsOperator).toEqual({ step: 'chunk:0', reasons: [expect.objectContaining({ studentId: 's-1', code: 'rule-broken' })] });
    expect(world.saga.status).toBe('compensating');
    expect(world.decide()).toBeNull();
    world.patch('s-1', { score: 150 }); // the operator fixed the score
    const retry = decideRetrySaga(world.saga, SAGA, { actor: admin, now: T0 });
    if (!retry.ok) throw new Error(retry.error.message);
    world.apply(retry.events);
    expect(world.decide()).toMatchObject({ type: 'CompensateStep', commandId: `${SAGA}/undo/chunk:0/r1` });
    world.runToRest();
    expect(world.saga.status).toBe('compensated');
    expect(world.student('s-1').score).toBe(100);
    expect(world.student('s-2').score).toBe(100);
  });

  it('given a configured range of 0..104, then a +5 that passes the default range is refused as out of range', () => {
    const world = givenBatch(2);
    world.rules = { min: 0, max: 104 };
    world.runToRest();
    expect(world.saga.status).toBe('compensated');
    expect(world.saga.failure?.reasons.map((r) => r.code)).toEqual(['rule-broken', 'rule-broken']);
  });

  it('refuses a start with a repeated student, too many students or a role that may not', () => {
    const world = new SagaWorldUnderTest();
    const ctx = { actor: admin, now: T0 };
    const twice = [{ studentId: 's-1', delta: 1 }, { studentId: 's-1', delta: 2 }];
    expect(decideStartBatch(world.saga, { sagaId: SAGA, reason: 'r', changes: twice }, ctx, settings)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const many = ids(5001).map((studentId) => ({ studentId, delta: 1 }));
    expect(decideStartBatch(world.saga, { sagaId: SAGA, reason: 'r', changes: many }, ctx, settings)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const teacher = { actor: { username: 't', role: 'teacher' as const }, now: T0 };
    expect(decideStartBatch(world.saga, { sagaId: SAGA, reason: 'r', changes: [twice[0]] }, teacher, settings)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses a retry of a saga that waits for no operator', () => {
    const world = givenBatch(1);
    expect(decideRetrySaga(world.saga, SAGA, { actor: admin, now: T0 })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});

