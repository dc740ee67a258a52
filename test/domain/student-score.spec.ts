import type { ModifyScore } from '../../src/domain';
import { student } from './deciders';
import {
  club,
  ref,
  scoreModified,
  studentActor,
  studentArchived,
  studentFrozen,
  studentRegistered,
  studentUnfrozen,
  teacher,
} from './fixtures';

const modify = (delta: number, data: Omit<Partial<ModifyScore['data']>, 'delta'> = {}): ModifyScore => ({
  type: 'ModifyScore',
  data: { studentId: 's-1', delta, reason: 'helped a classmate', source: 'direct', ...data },
});

describe('ModifyScore', () => {
  it('raises the score: ScoreModified carries the new score', () => {
    const state = student
      .given([studentRegistered()])
      .when(modify(+5))
      .then([scoreModified(5, 100)]);
    expect(state).toMatchObject({ score: 105, initialScore: 100, version: 2 });
  });

  it('lowers the score, on top of earlier changes', () => {
    const state = student
      .given([studentRegistered(), scoreModified(5, 100)])
      .when(modify(-35))
      .then([scoreModified(-35, 105)]);
    expect(state.score).toBe(70);
  });

  it('reaches both ends of the range exactly', () => {
    student
      .given([studentRegistered()])
      .when(modify(100))
      .then([scoreModified(100, 100)]);
    student
      .given([studentRegistered()])
      .when(modify(-100))
      .then([scoreModified(-100, 100)]);
  });

  it('keeps to a configured range', () => {
    student
      .given([studentRegistered()])
      .when(modify(250), { rules: { min: -100, max: 1000 } })
      .then([scoreModified(250, 100)]);
  });

  it('trims the reason', () => {
    student
      .given([studentRegistered()])
      .when(modify(1, { reason: ' helped a classmate  ' }))
      .then([scoreModified(1, 100)]);
  });

  it('records an application change with its applicationId', () => {
    student
      .given([studentRegistered()])
      .when(modify(10, { source: 'application', applicationId: 'app-1' }))
      .then([scoreModified(10, 100, { source: 'application', applicationId: 'app-1' })]);
  });

  it('lets a club run a batch change and its compensation, naming the saga', () => {
    const batch = { source: 'batch' as const, sagaId: 'saga-1' };
    const compensation = { source: 'compensation' as const, sagaId: 'saga-1' };
    student
      .given([studentRegistered()])
      .when(modify(-3, batch), { actor: club })
      .then([scoreModified(-3, 100, { ...batch, actor: ref(club) })]);
    student
      .given([studentRegistered(), scoreModified(-3, 100, { ...batch, actor: ref(club) })])
      .when(modify(3, compensation), { actor: club })
      .then([scoreModified(3, 97, { ...compensation, actor: ref(club) })]);
  });

  it('resets and compensates a frozen student (the semester archive works while frozen)', () => {
    const reset = { source: 'archive-reset' as const, sagaId: 'archive-1' };
    const compensation = { source: 'compensation' as const, sagaId: 'archive-1' };
    student
      .given([studentRegistered(), scoreModified(20, 100), studentFrozen('archive-1')])
      .when(modify(-20, reset))
      .then([scoreModified(-20, 120, reset)]);
    student
      .given([studentRegistered(), studentFrozen('archive-1'), scoreModified(-20, 120, reset)])
      .when(modify(20, compensation))
      .then([scoreModified(20, 100, compensation)]);
  });

  it('changes the score again once unfrozen', () => {
    student
      .given([studentRegistered(), studentFrozen(), studentUnfrozen()])
      .when(modify(1))
      .then([scoreModified(1, 100)]);
  });

  it.each([
    ['a teacher modifying directly', teacher, 'direct'],
    ['a club modifying directly', club, 'direct'],
    ['a student modifying directly', studentActor, 'direct'],
    ['a teacher running a batch', teacher, 'batch'],
    ['a club approving an application', club, 'application'],
    ['a club resetting for the archive', club, 'archive-reset'],
  ] as const)('refuses %s: forbidden', (_what, actor, source) => {
    const ids = { sagaId: 'saga-1', applicationId: 'app-1' };
    student
      .given([studentRegistered()])
      .when(modify(5, { source, ...ids }), { actor })
      .thenRefused('forbidden', new RegExp(source));
  });

  it.each([
    ['a delta of 0', modify(0), /delta must not be 0/],
    ['a fractional delta', modify(1.5), /delta must be an integer/],
    ['a NaN delta', modify(Number.NaN), /delta must be an integer/],
    ['a delta that is not a number', modify('5' as unknown as number), /delta must be an integer/],
    ['a blank reason', modify(5, { reason: '  ' }), /reason must not be empty/],
    ['a reason over 500 characters', modify(5, { reason: 'r'.repeat(501) }), /reason must be at most 500/],
    ['an unknown source', modify(5, { source: 'bribe' as 'direct' }), /source must be one of/],
    ['an application change without applicationId', modify(5, { source: 'application' }), /applicationId/],
    ['a batch change without sagaId', modify(5, { source: 'batch' }), /sagaId/],
    ['a compensation without sagaId', modify(5, { source: 'compensation' }), /sagaId/],
    ['an archive reset without sagaId', modify(5, { source: 'archive-reset' }), /sagaId/],
    ['a malformed sagaId', modify(5, { source: 'batch', sagaId: 'no spaces' }), /sagaId/],
    ['a malformed applicationId', modify(5, { source: 'application', applicationId: '' }), /applicationId/],
  ])('refuses %s: invalid', (_what, command, message) => {
    student.given([studentRegistered()]).when(command).thenRefused('invalid', message);
  });

  it('refuses an unknown student: not-found', () => {
    student
      .given([])
      .when(modify(5))
      .thenRefused('not-found', /student s-1 does not exist/);
  });

  it('refuses an archived student: conflict', () => {
    student
      .given([studentRegistered(), studentArchived()])
      .when(modify(5))
      .thenRefused('conflict', /archived/);
  });

  it.each([
    ['direct', {}],
    ['application', { source: 'application' as const, applicationId: 'app-1' }],
    ['batch', { source: 'batch' as const, sagaId: 'saga-1' }],
  ])('refuses a frozen student a %s change: conflict', (_source, data) => {
    student
      .given([studentRegistered(), studentFrozen()])
      .when(modify(5, data))
      .thenRefused('conflict', /frozen/);
  });

  it.each([
    ['above the maximum', 101, /new score 201 is outside the allowed range 0..200/],
    ['below the minimum', -101, /new score -1 is outside the allowed range 0..200/],
    ['far beyond the range', Number.MAX_SAFE_INTEGER, /outside the allowed range/],
  ])('refuses a change %s: rule-broken', (_what, delta, message) => {
    student.given([studentRegistered()]).when(modify(delta)).thenRefused('rule-broken', message);
  });

  it('refuses a change outside a configured range: rule-broken', () => {
    student
      .given([studentRegistered()])
      .when(modify(-60), { rules: { min: 50, max: 150 } })
      .thenRefused('rule-broken', /new score 40 is outside the allowed range 50..150/);
  });

  it('refuses a compensation that would leave the range too: rule-broken', () => {
    student
      .given([studentRegistered(0)])
      .when(modify(-1, { source: 'compensation', sagaId: 'saga-1' }))
      .thenRefused('rule-broken');
  });
});
