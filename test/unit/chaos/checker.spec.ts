import {
  type LogRow,
  type NodeSnapshot,
  applicationsByCommand,
  checkLogsAgree,
  checkOperations,
  checkReadModels,
  checkSagas,
  checkScores,
  openSagas,
  checkWritesBack,
} from '../../../src/chaos/checker';
import { type FaultRecord, type OpRecord, baseCommandId, unavailabilityWindows, writesBackAt } from '../../../src/chaos/history';
import { FAULT_KINDS, drawSchedule } from '../../../src/chaos/nemesis';
import { classifyStatus, classifyTransportError } from '../../../src/chaos/workload';
import { foldReadModels } from '../../../src/projections/read-model-fold';
import { loggedEvent } from '../../../src/projections/logged-event';
import { seededRandom } from '../../../src/shared/random';

const actor = { username: 'admin', role: 'admin' };
const at = '2026-01-01T00:00:00.000Z';

function registered(position: number, studentId: string, commandId: string): LogRow {
  return row(position, commandId, studentId, 'StudentRegistered', { studentId, name: 'A', className: 'c', initialScore: 100, actor, at });
}

function modified(position: number, studentId: string, commandId: string, previousScore: number, delta: number, newScore = previousScore + delta): LogRow {
  return row(position, commandId, studentId, 'ScoreModified', { studentId, delta, reason: 'r', source: 'direct', actor, previousScore, newScore, at });
}

function row(position: number, commandId: string, streamId: string, type: string, data: unknown, slot = position): LogRow {
  return { position, slot, commandId, streamType: 'student', streamId, type, schemaVersion: 1, data: JSON.stringify(data) };
}

/** A node whose read models are exactly the fold of its log. */
function node(nodeId: string, log: LogRow[]): NodeSnapshot {
  const events = log.map((r) => loggedEvent({ position: r.position, stream_type: r.streamType, stream_id: r.streamId, type: r.type, schema_version: r.schemaVersion, data: r.data }));
  return { nodeId, log, readModels: foldReadModels(events), checkpoint: log.length };
}

function op(key: string, outcome: OpRecord['outcome'], startedAt = 0, endedAt = 10): OpRecord {
  return { seq: 1, kind: 'modify', via: 'rest', target: 'n1', key, logId: key, startedAt, endedAt, outcome, status: outcome === 'ok' ? 200 : 503 };
}

const goodLog = (): LogRow[] => [registered(1, 's1', 'reg'), modified(2, 's1', 'k1', 100, 5), modified(3, 's1', 'k2#1', 105, -3)];

describe('chaos checker', () => {
  it('passes a history whose acknowledged commands are in every log once', () => {
    const nodes = ['n1', 'n2', 'n3'].map((id) => node(id, goodLog()));
    const verdict = checkOperations([op('k1', 'ok'), op('k2', 'ok'), op('k3', 'unknown'), op('k4', 'failed')], nodes);
    expect(verdict).toMatchObject({ ok: true, figures: { lost: 0, duplicated: 0, failedApplied: 0 } });
  });

  it('reports an acknowledged command missing from a log as lost', () => {
    const nodes = [node('n1', goodLog()), node('n2', goodLog().slice(0, 2))];
    const verdict = checkOperations([op('k1', 'ok'), op('k2', 'ok')], nodes);
    expect(verdict.ok).toBe(false);
    expect(verdict.figures).toMatchObject({ lost: 1 });
    expect(verdict.problems[0]).toMatch(/n2: acknowledged modify k2 .* lost/);
  });

  it('reports a command applied in two entries, whatever its outcome', () => {
    const log = [...goodLog(), modified(4, 's1', 'k3', 102, 1), modified(5, 's1', 'k3#1', 103, 1)];
    const verdict = checkOperations([op('k3', 'unknown')], [node('n1', log)]);
    expect(verdict).toMatchObject({ ok: false, figures: { duplicated: 1 } });
  });

  it('reports a failed command found in the log', () => {
    expect(checkOperations([op('k1', 'failed')], [node('n1', goodLog())])).toMatchObject({ ok: false, figures: { failedApplied: 1 } });
  });

  it('counts the events of one entry as one application', () => {
    const log = [row(1, 'a', 's1', 'X', {}, 7), row(2, 'a', 's2', 'Y', {}, 7), row(3, 'a#1', 's1', 'X', {}, 9)];
    expect([...applicationsByCommand(log).get('a')!]).toEqual([7, 9]);
    expect(baseCommandId('a#12')).toBe('a');
    expect(baseCommandId('x#y')).toBe('x#y');
  });

  it('finds logs that diverge, have gaps or different heads', () => {
    expect(checkLogsAgree([node('n1', goodLog()), node('n2', goodLog())]).ok).toBe(true);
    const other = goodLog();
    other[1] = modified(2, 's1', 'k1', 100, 6);
    expect(checkLogsAgree([node('n1', goodLog()), node('n2', other)]).problems[0]).toMatch(/diverge at position 2/);
    expect(checkLogsAgree([node('n1', goodLog()), node('n2', goodLog().slice(0, 2))]).problems[0]).toMatch(/heads differ/);
    expect(checkLogsAgree([node('n1', [goodLog()[0], goodLog()[2]])]).problems[0]).toMatch(/gap/);
  });

  it('compares the read models with the fold of the log up to the checkpoint', () => {
    expect(checkReadModels([node('n1', goodLog())]).ok).toBe(true);
    const stale = node('n1', goodLog());
    const wrong = { ...stale, readModels: node('n1', goodLog().slice(0, 2)).readModels };
    expect(checkReadModels([wrong]).problems.join()).toMatch(/students differs/);
    expect(checkReadModels([{ ...wrong, checkpoint: 2 }]).ok).toBe(true);
  });

  it('checks every score against its initial score plus its changes', () => {
    expect(checkScores([node('n1', goodLog())])).toMatchObject({ ok: true, figures: { students: 1 } });
    const skipped = [registered(1, 's1', 'reg'), modified(2, 's1', 'k1', 100, 5), modified(3, 's1', 'k2', 110, 1)];
    expect(checkScores([node('n1', skipped)]).problems[0]).toMatch(/running score is 105/);
  });

  it('bounds the time from each heal to the next acknowledged write', () => {
    const ops = [op('a', 'ok', 900, 1000), op('b', 'unknown', 1100, 1200), op('c', 'ok', 1150, 1400), op('d', 'ok', 1300, 5000)];
    expect(writesBackAt(ops, 1100)).toBe(1400);
    expect(writesBackAt(ops, 6000)).toBeNull();
    const fault = (healedAt: number, back: number | null): FaultRecord => ({ kind: 'kill-leader', target: 'n1', startedAt: 0, healedAt, writesBackAt: back });
    expect(checkWritesBack([fault(1000, 2500)]).ok).toBe(true);
    expect(checkWritesBack([fault(1000, 3500)]).ok).toBe(false);
    expect(checkWritesBack([fault(1000, null)]).problems[0]).toMatch(/no write acknowledged/);
  });

  it('finds the intervals without an acknowledged write', () => {
    const ops = [op('a', 'ok', 0, 500), op('b', 'unknown', 600, 9000), op('c', 'ok', 700, 3000)];
    expect(unavailabilityWindows(ops, 0, 3500)).toEqual([{ from: 500, to: 3000, ms: 2500 }]);
  });
});

describe('chaos checker: sagas', () => {
  const sagaRow = (position: number, sagaId: string, type: string, data: Record<string, unknown> = {}): LogRow => ({
    position, slot: position, commandId: `${sagaId}/${type}`, streamType: 'saga', streamId: sagaId, type, schemaVersion: 1,
    data: JSON.stringify({ sagaId, at, ...data }),
  });
  const started = (position: number, sagaId: string) =>
    sagaRow(position, sagaId, 'SagaStarted', { actor, input: { kind: 'batch', reason: 'r', chunkSize: 1, changes: [{ studentId: 's1', delta: 2 }, { studentId: 's2', delta: -3 }] } });
  const change = (position: number, sagaId: string, studentId: string, delta: number): LogRow => ({
    ...row(position, `${sagaId}/chunk`, studentId, 'ScoreModified', { studentId, delta, sagaId, reason: 'r', source: 'batch', actor, previousScore: 100, newScore: 100 + delta, at }),
  });

  it('passes a batch that completed with every change, and one compensated back to nothing', () => {
    const log = [
      started(1, 'b1'), change(2, 'b1', 's1', 2), change(3, 'b1', 's2', -3), sagaRow(4, 'b1', 'SagaCompleted'),
      started(5, 'b2'), change(6, 'b2', 's1', 2), sagaRow(7, 'b2', 'StepFailed', { step: 'chunk:1', reasons: [] }), change(8, 'b2', 's1', -2), sagaRow(9, 'b2', 'SagaCompensated'),
    ];
    const verdict = checkSagas([{ nodeId: 'n1', log, readModels: foldReadModels([]), checkpoint: 0 }]);
    expect(verdict).toMatchObject({ ok: true, figures: { sagas: 2, completed: 1, compensated: 1, open: 0 } });
    expect(openSagas(log)).toEqual([]);
  });

  it('reports a saga that has not ended, one waiting for an operator, and half-done changes', () => {
    const log = [
      started(1, 'open'), change(2, 'open', 's1', 2),
      started(3, 'stuck'), sagaRow(4, 'stuck', 'CompensationFailed', { step: 'chunk:0', reasons: [] }),
      started(5, 'half'), change(6, 'half', 's1', 2), sagaRow(7, 'half', 'SagaCompleted'),
      started(8, 'undone'), change(9, 'undone', 's2', -3), sagaRow(10, 'undone', 'SagaCompensated'),
    ];
    const verdict = checkSagas([{ nodeId: 'n1', log, readModels: foldReadModels([]), checkpoint: 0 }]);
    expect(verdict.ok).toBe(false);
    expect(verdict.figures).toMatchObject({ sagas: 4, completed: 1, compensated: 1, open: 1, needsOperator: 1 });
    expect(verdict.problems).toEqual([
      'n1: saga open (batch) has not ended',
      'n1: saga stuck (batch) waits for an operator',
      'n1: saga half ended SagaCompleted but changed s2 by 0, not -3',
      'n1: saga undone ended SagaCompensated but changed s2 by -3, not 0',
    ]);
    expect(openSagas(log)).toEqual(['open']);
  });
});

describe('chaos workload classification', () => {
  it('counts 2xx as ok, 4xx as failed and 5xx as unknown (a 503 may still be chosen later)', () => {
    expect(classifyStatus(201, '{"commandId":"x"}')).toMatchObject({ outcome: 'ok', body: { commandId: 'x' } });
    expect(classifyStatus(409, '').outcome).toBe('failed');
    expect(classifyStatus(503, '').outcome).toBe('unknown');
    expect(classifyStatus(504, '').outcome).toBe('unknown');
  });

  it('counts a refused connection as failed and any other transport error as unknown', () => {
    expect(classifyTransportError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })).outcome).toBe('failed');
    expect(classifyTransportError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })).outcome).toBe('unknown');
    expect(classifyTransportError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({ outcome: 'unknown', status: 'timeout' });
  });
});

describe('nemesis schedule', () => {
  it('is a function of the seed and meets every fault kind in a long enough run', () => {
    const a = drawSchedule(seededRandom(42), 10 * 60_000, ['n1', 'n2', 'n3']);
    expect(drawSchedule(seededRandom(42), 10 * 60_000, ['n1', 'n2', 'n3'])).toEqual(a);
    expect(drawSchedule(seededRandom(43), 10 * 60_000, ['n1', 'n2', 'n3'])).not.toEqual(a);
    expect(new Set(a.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    expect(a.filter((f) => f.kind.startsWith('pause')).every((f) => f.holdMs === 8000)).toBe(true);
  });
});
