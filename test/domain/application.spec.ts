import { AssertionError } from '../../src/shared/assert';
import {
  type ReviewApplication,
  type SubmitApplication,
  decideReview,
  evolveApplication,
  evolveStudent,
  foldEvents,
  initialApplicationState,
  initialStudentState,
} from '../../src/domain';
import { application } from './deciders';
import {
  NOW,
  admin,
  applicationApproved,
  applicationRejected,
  applicationSubmitted,
  club,
  scoreModified,
  studentActor,
  studentArchived,
  studentFrozen,
  studentRegistered,
  teacher,
} from './fixtures';

const submit = (data: Partial<SubmitApplication['data']> = {}): SubmitApplication => ({
  type: 'SubmitApplication',
  data: { applicationId: 'app-1', studentId: 's-1', delta: 10, reason: 'won the maths olympiad', ...data },
});

const review = (
  decision: 'approve' | 'reject',
  comment = decision === 'approve' ? 'well done' : 'not enough evidence',
): ReviewApplication => ({
  type: 'ReviewApplication',
  data: { applicationId: 'app-1', decision, comment },
});

/** The ScoreModified an approval of applicationSubmitted(delta) decides. */
const approvedChange = (delta: number, previousScore: number) =>
  scoreModified(delta, previousScore, {
    reason: 'won the maths olympiad',
    source: 'application',
    applicationId: 'app-1',
  });

describe('SubmitApplication', () => {
  it('lets a teacher submit: ApplicationSubmitted, pending', () => {
    const state = application
      .given([studentRegistered()])
      .when(submit(), { actor: teacher })
      .then([applicationSubmitted(10)]);
    expect(state.application).toMatchObject({
      exists: true,
      status: 'pending',
      submittedBy: 'ms.lee',
      delta: 10,
      version: 1,
    });
  });

  it('lets a club submit, with a negative delta and a trimmed reason', () => {
    application
      .given([studentRegistered()])
      .when(submit({ delta: -5, reason: ' won the maths olympiad ' }), { actor: club })
      .then([applicationSubmitted(-5, club)]);
  });

  it('accepts a change the current score could not take yet (the range is checked on approval)', () => {
    application
      .given([studentRegistered(195)])
      .when(submit({ delta: 50 }), { actor: teacher })
      .then([applicationSubmitted(50)]);
  });

  it('accepts the largest delta the range allows, either way (200 for 0..200), whatever the score now', () => {
    application
      .given([studentRegistered(0)])
      .when(submit({ delta: 200 }), { actor: teacher })
      .then([applicationSubmitted(200)]);
    application
      .given([studentRegistered(0)])
      .when(submit({ delta: -200 }), { actor: club })
      .then([applicationSubmitted(-200, club)]);
  });

  it.each([
    ['+500', 500, /delta \+500 can never fit the allowed range 0..200/],
    ['+201', 201, /delta \+201 can never fit/],
    ['-201', -201, /delta -201 can never fit/],
  ])('refuses a delta of %s, which no score in 0..200 could take: rule-broken', (_what, delta, message) => {
    application
      .given([studentRegistered()])
      .when(submit({ delta }), { actor: teacher })
      .thenRefused('rule-broken', message);
  });

  it('refuses a delta wider than a configured range: rule-broken; a wider range accepts it', () => {
    application
      .given([studentRegistered(50)])
      .when(submit({ delta: 60 }), { actor: teacher, rules: { min: 50, max: 100 } })
      .thenRefused('rule-broken', /50..100/);
    application
      .given([studentRegistered()])
      .when(submit({ delta: 500 }), { actor: teacher, rules: { min: 0, max: 1000 } })
      .then([applicationSubmitted(500)]);
  });

  it('checks the other refusals first: an unknown student with a delta of +500 is not-found', () => {
    application
      .given([])
      .when(submit({ delta: 500 }), { actor: teacher })
      .thenRefused('not-found', /student s-1/);
  });

  it('accepts an application for a frozen student (the freeze is temporary)', () => {
    application
      .given([studentRegistered(), studentFrozen()])
      .when(submit(), { actor: teacher })
      .then([applicationSubmitted(10)]);
  });

  it.each([
    ['an admin', admin],
    ['a student', studentActor],
  ])('refuses %s: forbidden', (_who, actor) => {
    application
      .given([studentRegistered()])
      .when(submit(), { actor })
      .thenRefused('forbidden', /may not submit/);
  });

  it.each([
    ['a malformed applicationId', { applicationId: 'a b' }, /applicationId/],
    ['a delta of 0', { delta: 0 }, /delta must not be 0/],
    ['a fractional delta', { delta: 2.5 }, /delta must be an integer/],
    ['a blank reason', { reason: '' }, /reason must not be empty/],
    ['a reason over 500 characters', { reason: 'r'.repeat(501) }, /reason/],
  ])('refuses %s: invalid', (_what, data, message) => {
    application.given([studentRegistered()]).when(submit(data), { actor: teacher }).thenRefused('invalid', message);
  });

  it('refuses a malformed studentId: invalid', () => {
    application
      .given([])
      .when(submit({ studentId: '' }), { actor: teacher })
      .thenRefused('invalid', /studentId/);
  });

  it('refuses an applicationId already used: conflict', () => {
    application
      .given([studentRegistered(), applicationSubmitted()])
      .when(submit(), { actor: club })
      .thenRefused('conflict', /app-1 already exists/);
  });

  it('refuses an unknown student: not-found', () => {
    application
      .given([])
      .when(submit(), { actor: teacher })
      .thenRefused('not-found', /student s-1/);
  });

  it('refuses an archived student: conflict', () => {
    application
      .given([studentRegistered(), studentArchived()])
      .when(submit(), { actor: teacher })
      .thenRefused('conflict', /archived/);
  });
});

describe('ReviewApplication', () => {
  const pending = [studentRegistered(), applicationSubmitted(10)];

  it('approves: ApplicationApproved and the student ScoreModified, together', () => {
    const state = application
      .given(pending)
      .when(review('approve'))
      .then([applicationApproved(10, 110), approvedChange(10, 100)]);
    expect(state.application).toMatchObject({ status: 'approved', version: 2 });
    expect(state.student).toMatchObject({ score: 110, version: 2 });
  });

  it('approves on top of the current score, not the score at submission', () => {
    application
      .given([...pending, scoreModified(-30, 100)])
      .when(review('approve'))
      .then([applicationApproved(10, 80), approvedChange(10, 70)]);
  });

  it('approves with an empty comment and trims one given', () => {
    application
      .given(pending)
      .when(review('approve', ''))
      .then([applicationApproved(10, 110, ''), approvedChange(10, 100)]);
    application
      .given(pending)
      .when(review('approve', ' ok '))
      .then([applicationApproved(10, 110, 'ok'), approvedChange(10, 100)]);
  });

  it('approves within a configured range', () => {
    application
      .given([studentRegistered(), applicationSubmitted(150)])
      .when(review('approve'), { rules: { min: 0, max: 1000 } })
      .then([applicationApproved(150, 250), approvedChange(150, 100)]);
  });

  it('rejects: ApplicationRejected, and the score stays', () => {
    const state = application.given(pending).when(review('reject')).then([applicationRejected()]);
    expect(state.application.status).toBe('rejected');
    expect(state.student.score).toBe(100);
  });

  it('rejects even what could not be approved (frozen student, out of range)', () => {
    application
      .given([studentRegistered(), applicationSubmitted(500), studentFrozen()])
      .when(review('reject'))
      .then([applicationRejected()]);
  });

  it.each([
    ['a teacher', teacher],
    ['a club', club],
    ['a student', studentActor],
  ])('refuses %s: forbidden', (_who, actor) => {
    application
      .given(pending)
      .when(review('approve'), { actor })
      .thenRefused('forbidden', /may not review/);
  });

  it.each([
    ['an unknown decision', review('maybe' as 'approve'), /decision must be approve or reject/],
    ['a comment over 500 characters', review('reject', 'c'.repeat(501)), /comment must be at most 500/],
    ['a comment that is not a string', review('approve', null as unknown as string), /comment must be a string/],
  ])('refuses %s: invalid', (_what, command, message) => {
    application.given(pending).when(command).thenRefused('invalid', message);
  });

  it('refuses an unknown application: not-found', () => {
    application
      .given([studentRegistered()])
      .when(review('approve'))
      .thenRefused('not-found', /application app-1/);
  });

  it.each([
    ['approved', applicationApproved(10, 110), 'reject'],
    ['approved', applicationApproved(10, 110), 'approve'],
    ['rejected', applicationRejected(), 'approve'],
  ] as const)('refuses a second review of an application already %s: conflict', (status, reviewed, decision) => {
    application
      .given([...pending, reviewed])
      .when(review(decision))
      .thenRefused('conflict', new RegExp(`already ${status}`));
  });

  it('refuses to approve for a frozen student: conflict, nothing decided', () => {
    application
      .given([...pending, studentFrozen()])
      .when(review('approve'))
      .thenRefused('conflict', /frozen/);
  });

  it('refuses to approve for an archived student: conflict', () => {
    application
      .given([...pending, studentArchived()])
      .when(review('approve'))
      .thenRefused('conflict', /archived/);
  });

  it('refuses to approve when the student stream is missing: not-found', () => {
    application
      .given([applicationSubmitted(10)])
      .when(review('approve'))
      .thenRefused('not-found', /student s-1/);
  });

  it('refuses to approve a change that would leave the range: rule-broken, and neither stream changes', () => {
    application
      .given([studentRegistered(195), applicationSubmitted(10)])
      .when(review('approve'))
      .thenRefused('rule-broken', /new score 205 is outside the allowed range 0..200/);
    application
      .given([studentRegistered(5), applicationSubmitted(-10)])
      .when(review('approve'))
      .thenRefused('rule-broken', /new score -5/);
  });

  it('refuses to approve outside a configured range: rule-broken', () => {
    application
      .given(pending)
      .when(review('approve'), { rules: { min: 0, max: 105 } })
      .thenRefused('rule-broken', /0..105/);
  });

  it("asserts when given another application's state", () => {
    const other = foldEvents(evolveApplication, initialApplicationState, [
      {
        ...applicationSubmitted(),
        streamId: 'app-2',
        data: { ...applicationSubmitted().data, applicationId: 'app-2' },
      },
    ]);
    const student = foldEvents(evolveStudent, initialStudentState, [studentRegistered()]);
    expect(() => decideReview(other, student, review('approve'), { actor: admin, now: NOW })).toThrow(AssertionError);
  });
});
