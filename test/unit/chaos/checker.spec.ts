import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LogRow,
  type NodeSnapshot,
  applicationsByCommand,
  checkAnswers,
  checkEnoughAcknowledged,
  checkFaultsInjected,
  checkLogsAgree,
  checkMembership,
  checkRun,
  checkOperations,
  checkReadModels,
  checkSagas,
  checkScores,
  openSagas,
  checkWritesBack,
} from '../../../src/chaos/checker';
import { type FaultRecord, type OpRecord, baseCommandId, unavailabilityWindows, writesBackAt } from '../../../src/chaos/history';
import { accountsConfWithNodes, natsPasswordVar } from '../../../src/chaos/nats-process';
import { FAULT_KINDS, MEMBERSHIP_KINDS, drawSchedule, sparesNeeded } from '../../../src/chaos/nemesis';
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
    const fault = (healedAt: number, back: number | null): FaultRecord => ({ kind: 'kill-leader', target: 'n1', startedAt: 0, injected: true, healedAt, writesBackAt: back });
    expect(checkWritesBack([fault(1000, 2500)]).ok).toBe(true);
    expect(checkWritesBack([fault(1000, 3500)]).ok).toBe(false);
    expect(checkWritesBack([fault(1000, null)]).problems[0]).toMatch(/no write acknowledged/);
  });

  it('finds the intervals without an acknowledged write', () => {
    const ops = [op('a', 'ok', 0, 500), op('b', 'unknown', 600, 9000), op('c', 'ok', 700, 3000)];
    expect(unavailabilityWindows(ops, 0, 3500)).toEqual([{ from: 500, to: 3000, ms: 2500 }]);
  });
});

describe('chaos checker: a run that tested nothing fails', () => {
  const acked = (key: string, position: number, commandId = key): OpRecord => ({ ...op(key, 'ok'), position, commandId });
  const injected = (kind: string, extra: Partial<FaultRecord> = {}): FaultRecord => ({ kind, target: 'n1', startedAt: 0, injected: true, healedAt: 100, writesBackAt: 200, ...extra });
  const nodes = () => ['n1', 'n2'].map((id) => node(id, goodLog()));

  it('fails with fewer acknowledged operations than the minimum, passes at it', () => {
    const ops = [acked('k1', 2), acked('k2', 3), op('k3', 'unknown'), op('k4', 'failed')];
    expect(checkEnoughAcknowledged(ops, 2)).toMatchObject({ ok: true, figures: { acknowledged: 2, minimum: 2 } });
    expect(checkEnoughAcknowledged(ops, 3).ok).toBe(false);
    expect(checkEnoughAcknowledged([], 1).problems[0]).toMatch(/only 0 of 0 operations acknowledged/);
  });

  it('fails with no fault, or a scheduled fault that was not injected or not healed', () => {
    expect(checkFaultsInjected([injected('kill-leader'), injected('one-way')], 2)).toMatchObject({ ok: true, figures: { faults: 2, injected: 2 } });
    expect(checkFaultsInjected([], 1).problems).toEqual(['0 fault(s) scheduled, fewer than the 1 the run needs']);
    const failedStart = checkFaultsInjected([injected('kill-leader'), injected('kill-mariadb', { injected: false, note: 'heal trouble: no pid' })], 1);
    expect(failedStart.ok).toBe(false);
    expect(failedStart.problems).toEqual(['kill-mariadb n1 at 0 ms was scheduled but not injected (heal trouble: no pid)']);
    expect(checkFaultsInjected([injected('pause-leader', { healedAt: null })], 1).problems[0]).toMatch(/never healed/);
  });

  it("compares each acknowledged answer's position and command id with the row every log holds there", () => {
    // goodLog: 1 reg, 2 k1, 3 k2#1 (a re-decision of k2)
    expect(checkAnswers([acked('k1', 2), acked('k2', 3), op('k9', 'unknown')], nodes())).toMatchObject({ ok: true, figures: { checked: 2, mismatched: 0 } });
    const wrongPosition = checkAnswers([acked('k1', 3)], nodes());
    expect(wrongPosition.ok).toBe(false);
    expect(wrongPosition.problems[0]).toBe('n1: acknowledged modify k1 at position 3, but the log holds slot 3 k2#1 student/s1 ScoreModified there');
    expect(checkAnswers([acked('k1', 2, 'other')], nodes()).figures).toMatchObject({ mismatched: 2 });
    expect(checkAnswers([acked('k2', 4)], nodes()).problems[0]).toMatch(/holds nothing there/);
    // a position on one node's log only: the other node is reported
    expect(checkAnswers([acked('k2', 3)], [node('n1', goodLog()), node('n2', goodLog().slice(0, 2))]).problems).toEqual([
      'n2: acknowledged modify k2 at position 3, but the log holds nothing there',
    ]);
    expect(checkAnswers([op('k1', 'ok')], nodes()).problems[0]).toMatch(/named no position or command id/);
  });

  it('checkRun fails an empty run that every safety verdict passes', () => {
    const empty = ['n1', 'n2'].map((id) => node(id, []));
    const verdicts = checkRun([], [], empty, { minAcknowledged: 1, minFaults: 1, writesBackBoundMs: 2000 });
    expect(verdicts.filter((v) => !v.ok).map((v) => v.name)).toEqual(['at least 1 operations acknowledged', 'every scheduled fault injected (at least 1)']);
    const full = checkRun([acked('k1', 2), acked('k2', 3)], [injected('kill-leader', { healedAt: 100, writesBackAt: 900 })], nodes(), { minAcknowledged: 2, minFaults: 1, writesBackBoundMs: 2000 });
    expect(full.filter((v) => !v.ok)).toEqual([]);
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

  describe('archives', () => {
    const archiveStarted = (position: number, sagaId: string) =>
      sagaRow(position, sagaId, 'SagaStarted', { actor, input: { kind: 'archive', semester: '2026-1', className: 'c', studentIds: ['s1', 's2'], chunkSize: 1, storeTimeoutMs: 1000 } });
    const step = (position: number, sagaId: string, name: string) => sagaRow(position, sagaId, 'StepSucceeded', { step: name });
    const reset = (position: number, sagaId: string, studentId: string, previousScore: number, source = 'archive-reset'): LogRow =>
      row(position, `${sagaId}/reset`, studentId, 'ScoreModified', { studentId, delta: 100 - previousScore, sagaId, reason: 'r', source, actor, previousScore, newScore: 100, at });
    const archiveEvent = (position: number, sagaId: string, type: string, data: Record<string, unknown> = {}): LogRow => ({
      position, slot: position, commandId: `${sagaId}/end`, streamType: 'archive', streamId: sagaId, type, schemaVersion: 1,
      data: JSON.stringify({ archiveId: sagaId, sagaId, semester: '2026-1', className: 'c', at, ...data }),
    });
    /** s1 at 105 and s2 at 97 before the archive, reset after the store step or before it. */
    const archiveLog = (order: 'store-first' | 'reset-first'): LogRow[] => {
      const head = [registered(1, 's1', 'r1'), registered(2, 's2', 'r2'), modified(3, 's1', 'm1', 100, 5), modified(4, 's2', 'm2', 100, -3), archiveStarted(5, 'a1'), step(6, 'a1', 'freeze:0'), step(7, 'a1', 'freeze:1')];
      const resets = (p: number) => [reset(p, 'a1', 's1', 105), step(p + 1, 'a1', 'reset:0'), reset(p + 2, 'a1', 's2', 97), step(p + 3, 'a1', 'reset:1')];
      const body = order === 'store-first' ? [step(8, 'a1', 'store'), ...resets(9)] : [...resets(8), step(12, 'a1', 'store')];
      return [...head, ...body, step(13, 'a1', 'unfreeze:0'), step(14, 'a1', 'unfreeze:1'), archiveEvent(15, 'a1', 'ArchiveCompleted', { studentCount: 2 }), sagaRow(16, 'a1', 'SagaCompleted')];
    };
    const check = (log: LogRow[]) => checkSagas([{ nodeId: 'n1', log, readModels: foldReadModels([]), checkpoint: 0 }]);

    it('passes an archive whose scores were reset after it was stored', () => {
      expect(check(archiveLog('store-first'))).toMatchObject({ ok: true, figures: { sagas: 1, completed: 1, archives: 1, archivesCompleted: 1 } });
    });

    it('fails an archive that reset scores before the archive was stored', () => {
      const verdict = check(archiveLog('reset-first'));
      expect(verdict.ok).toBe(false);
      expect(verdict.problems).toEqual([
        'n1: archive a1 s1 reset at position 8 before the archive was stored',
        'n1: archive a1 s2 reset at position 10 before the archive was stored',
      ]);
    });

    it('fails a completed archive that left a student off its initial score, or that names the wrong count', () => {
      const log = archiveLog('store-first').filter((r) => r.position !== 11); // s2 never reset
      expect(check(log).problems).toEqual(['n1: archive a1 s2 stands at 97 after reset:1 at position 12, not its initial 100']);
      const miscounted = archiveLog('store-first').map((r) => (r.position === 15 ? archiveEvent(15, 'a1', 'ArchiveCompleted', { studentCount: 1 }) : r));
      expect(check(miscounted).problems).toEqual(['n1: archive a1 completed with 1 students archived, not 2']);
      const unclosed = archiveLog('store-first').filter((r) => r.position !== 15);
      expect(check(unclosed).problems).toEqual(['n1: archive a1 completed, but its archive ended without ArchiveCompleted']);
    });

    it('fails a compensated archive that kept a reset or completed its archive', () => {
      const base = archiveLog('store-first').slice(0, 10); // stored, s1 reset (reset:0)
      const compensation = row(11, 'a1/undo', 's1', 'ScoreModified', { studentId: 's1', delta: 5, sagaId: 'a1', reason: 'r', source: 'compensation', actor, previousScore: 100, newScore: 105, at });
      const undone = [...base, compensation, archiveEvent(12, 'a1', 'ArchiveDiscarded'), sagaRow(13, 'a1', 'SagaCompensated')];
      expect(check(undone)).toMatchObject({ ok: true, figures: { compensated: 1 } });
      const kept = [...base, archiveEvent(11, 'a1', 'ArchiveCompleted', { studentCount: 2 }), sagaRow(12, 'a1', 'SagaCompensated')];
      expect(check(kept).problems).toEqual(['n1: archive a1 compensated, but its archive is marked completed', 'n1: archive a1 compensated but changed s1 by -5, not 0']);
    });
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

  it('begins with the lead kinds in a seeded order, then goes on with the shuffled cycle', () => {
    const lead = ['replace-node', 'wipe-node'] as const;
    const plans = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => drawSchedule(seededRandom(seed), 90_000, ['h1', 'h2', 'h3'], lead));
    for (const plan of plans) {
      expect(new Set(plan.slice(0, 2).map((f) => f.kind))).toEqual(new Set(lead));
      expect(plan.slice(2).some((f) => !MEMBERSHIP_KINDS.includes(f.kind))).toBe(true);
      // a membership fault needs no hold: the change is the fault
      expect(plan.filter((f) => MEMBERSHIP_KINDS.includes(f.kind)).every((f) => f.holdMs === 0)).toBe(true);
      expect(sparesNeeded(plan)).toBe(plan.filter((f) => f.kind === 'replace-node').length);
    }
    // replace-node hits the leader in some seeds and a drawn host in others
    const replaceTargets = new Set(plans.map((p) => p.find((f) => f.kind === 'replace-node')!.target === 'leader'));
    expect(replaceTargets).toEqual(new Set([true, false]));
    expect(new Set(plans.map((p) => p[0].kind)).size).toBe(2);
  });
});

describe('chaos checker: membership', () => {
  const fault = (kind: string, target: string, extra: Partial<FaultRecord> = {}): FaultRecord => ({ kind, target, startedAt: 0, injected: true, healedAt: 100, writesBackAt: 200, ...extra });
  const wipedOk = (target: string, extra: Partial<FaultRecord> = {}): FaultRecord =>
    fault('wipe-node', target, { restartedAs: { voting: false, notVotingReason: 'incarnation-mismatch', incarnationChanged: true, lossLogged: true }, votesAgain: true, ...extra });
  const founding = ['n1', 'n2', 'n3'];

  it('passes when the final voters are the founding members with each replaced node swapped for its replacement', () => {
    const faults = [fault('kill-leader', 'n1'), fault('replace-node', 'n1', { replacedBy: 'n4' }), wipedOk('n4'), fault('replace-node', 'n4', { replacedBy: 'n5' })];
    expect(checkMembership(faults, founding, { voters: ['n5', 'n3', 'n2'], learners: [] })).toMatchObject({ ok: true, figures: { replaced: 2, wiped: 1 } });
    expect(checkMembership([], founding, { voters: ['n3', 'n2', 'n1'], learners: [] }).ok).toBe(true);
  });

  it('fails when a replaced node is still a member, a replacement is not a voter, or a learner is left', () => {
    const faults = [fault('replace-node', 'n1', { replacedBy: 'n4' })];
    expect(checkMembership(faults, founding, { voters: ['n1', 'n2', 'n3', 'n4'], learners: [] }).problems).toEqual(['final voters n1,n2,n3,n4, expected n2,n3,n4']);
    expect(checkMembership(faults, founding, { voters: ['n2', 'n3'], learners: ['n4'] }).problems).toEqual(['final voters n2,n3, expected n2,n3,n4', 'learners left in the final configuration: n4']);
    expect(checkMembership(faults, founding, null).problems).toEqual(['no leader showed the final configuration']);
    const failed = fault('replace-node', 'n1', { replacedBy: 'n4', note: 'failed: n4 is a voter not reached in 3 tries' });
    expect(checkMembership([failed], founding, { voters: ['n2', 'n3', 'n4'], learners: [] }).problems).toEqual(['replace-node n1: failed: n4 is a voter not reached in 3 tries']);
  });

  it('fails when a wiped node came back voting, under its old incarnation, without logging the loss, or never voted again', () => {
    const config = { voters: founding, learners: [] };
    expect(checkMembership([wipedOk('n2')], founding, config).ok).toBe(true);
    const voting = wipedOk('n2', { restartedAs: { voting: true, notVotingReason: null, incarnationChanged: false, lossLogged: false }, votesAgain: false });
    expect(checkMembership([voting], founding, config).problems).toEqual([
      'wipe-node n2: came back voting, not refused as incarnation-mismatch',
      'wipe-node n2: its incarnation did not change (or was not read)',
      'wipe-node n2: its log does not say "storage lost"',
      'wipe-node n2: does not vote again after cluster:replace-node',
    ]);
    const learner = wipedOk('n2', { restartedAs: { voting: false, notVotingReason: 'learner', incarnationChanged: true, lossLogged: true } });
    expect(checkMembership([learner], founding, config).problems).toEqual(['wipe-node n2: came back not voting (learner), not refused as incarnation-mismatch']);
    expect(checkMembership([wipedOk('n2', { restartedAs: undefined })], founding, config).problems).toEqual(['wipe-node n2: its status after the restart was never read']);
  });
});

describe('chaos NATS users for spare nodes', () => {
  const shipped = readFileSync(join(__dirname, '../../../deploy/nats/accounts.conf'), 'utf8');

  it("copies the n1 user for each spare with the spare's id and password variable", () => {
    const conf = accountsConfWithNodes(shipped, ['n4', 'n10']);
    expect(natsPasswordVar('n10')).toBe('NATS_N10_PASSWORD');
    for (const id of ['n4', 'n10']) {
      expect(conf).toContain(`user: ${id}\n      password: $${natsPasswordVar(id)}`);
      expect(conf).toContain(`"paxos.behavior.${id}.>"`);
      expect(conf).toContain(`"paxos.behavior.*.${id}.>"`);
      expect(conf).toContain(`"behavior.internal.behavior.${id}.>"`);
      expect(conf).toContain(`"_INBOX_${id}.>"`);
    }
    // the shipped users are all still there, once each
    for (const user of ['n1', 'n2', 'n3', 'api', 'operator', 'records']) expect(conf.split(`user: ${user}\n`).length).toBe(2);
    expect(accountsConfWithNodes(shipped, [])).toBe(shipped);
    expect(() => accountsConfWithNodes('authorization { users = [] }', ['n4'])).toThrow(/no user block for n1/);
  });
});
