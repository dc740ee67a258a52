import { AssertionError } from '../../src/shared/assert';
import {
  type ArchiveStudent,
  type FreezeStudent,
  type UnfreezeStudent,
  decideStudent,
  evolveStudent,
  foldEvents,
  initialStudentState,
} from '../../src/domain';
import { student } from './deciders';
import {
  NOW,
  admin,
  club,
  scoreModified,
  studentActor,
  studentArchived,
  studentFrozen,
  studentRegistered,
  studentUnfrozen,
  teacher,
} from './fixtures';

const freeze = (sagaId?: string): FreezeStudent => ({
  type: 'FreezeStudent',
  data: { studentId: 's-1', ...(sagaId === undefined ? {} : { sagaId }) },
});
const unfreeze = (sagaId?: string): UnfreezeStudent => ({
  type: 'UnfreezeStudent',
  data: { studentId: 's-1', ...(sagaId === undefined ? {} : { sagaId }) },
});
const archive: ArchiveStudent = { type: 'ArchiveStudent', data: { studentId: 's-1' } };

const staff = [
  ['teacher', teacher],
  ['club', club],
  ['student', studentActor],
] as const;

describe('FreezeStudent', () => {
  it('freezes the score: StudentFrozen', () => {
    const state = student.given([studentRegistered()]).when(freeze()).then([studentFrozen()]);
    expect(state.frozen).toBe(true);
  });

  it('names the saga that froze it', () => {
    student
      .given([studentRegistered()])
      .when(freeze('archive-1'))
      .then([studentFrozen('archive-1')]);
  });

  it.each(staff)('refuses a %s: forbidden', (_role, actor) => {
    student
      .given([studentRegistered()])
      .when(freeze(), { actor })
      .thenRefused('forbidden', /FreezeStudent/);
  });

  it('refuses a malformed sagaId: invalid', () => {
    student
      .given([studentRegistered()])
      .when(freeze('bad id'))
      .thenRefused('invalid', /sagaId/);
  });

  it('refuses an unknown student: not-found', () => {
    student.given([]).when(freeze()).thenRefused('not-found');
  });

  it('refuses an archived student: conflict', () => {
    student
      .given([studentRegistered(), studentArchived()])
      .when(freeze())
      .thenRefused('conflict', /archived/);
  });

  it('refuses a student already frozen: conflict', () => {
    student
      .given([studentRegistered(), studentFrozen()])
      .when(freeze())
      .thenRefused('conflict', /frozen/);
  });
});

describe('UnfreezeStudent', () => {
  it('lifts the freeze: StudentUnfrozen', () => {
    const state = student
      .given([studentRegistered(), studentFrozen()])
      .when(unfreeze('archive-1'))
      .then([studentUnfrozen('archive-1')]);
    expect(state.frozen).toBe(false);
  });

  it.each(staff)('refuses a %s: forbidden', (_role, actor) => {
    student.given([studentRegistered(), studentFrozen()]).when(unfreeze(), { actor }).thenRefused('forbidden');
  });

  it('refuses a malformed sagaId: invalid', () => {
    student
      .given([studentRegistered(), studentFrozen()])
      .when(unfreeze(''))
      .thenRefused('invalid', /sagaId/);
  });

  it('refuses an unknown student: not-found', () => {
    student.given([]).when(unfreeze()).thenRefused('not-found');
  });

  it('refuses an archived student: conflict', () => {
    student
      .given([studentRegistered(), studentArchived()])
      .when(unfreeze())
      .thenRefused('conflict', /archived/);
  });

  it('refuses a student who is not frozen: conflict', () => {
    student
      .given([studentRegistered()])
      .when(unfreeze())
      .thenRefused('conflict', /not frozen/);
  });
});

describe('ArchiveStudent', () => {
  it('archives the student with their final score: StudentArchived', () => {
    const state = student
      .given([studentRegistered(), scoreModified(7, 100)])
      .when(archive)
      .then([studentArchived(107)]);
    expect(state).toMatchObject({ archived: true, score: 107, version: 3 });
  });

  it.each(staff)('refuses a %s: forbidden', (_role, actor) => {
    student.given([studentRegistered()]).when(archive, { actor }).thenRefused('forbidden');
  });

  it('refuses an unknown student: not-found', () => {
    student.given([]).when(archive).thenRefused('not-found');
  });

  it('refuses a student already archived: conflict', () => {
    student
      .given([studentRegistered(), studentArchived()])
      .when(archive)
      .thenRefused('conflict', /archived/);
  });

  it('refuses a frozen student: conflict', () => {
    student
      .given([studentRegistered(), studentFrozen()])
      .when(archive)
      .thenRefused('conflict', /frozen/);
  });
});

describe('the student stream', () => {
  it('folds every event into the state, counting the version', () => {
    const events = [
      studentRegistered(),
      scoreModified(5, 100),
      studentFrozen(),
      studentUnfrozen(),
      studentArchived(105),
    ];
    expect(foldEvents(evolveStudent, initialStudentState, events)).toEqual({
      exists: true,
      studentId: 's-1',
      name: 'Kim Min',
      className: '7A',
      score: 105,
      initialScore: 100,
      frozen: false,
      archived: true,
      version: 5,
    });
  });

  it("asserts when given another student's state (a programmer error, not a refusal)", () => {
    const other = foldEvents(evolveStudent, initialStudentState, [studentRegistered(100, 's-2')]);
    expect(() => decideStudent(other, freeze(), { actor: admin, now: NOW })).toThrow(AssertionError);
  });

  it('asserts on nonsense score rules', () => {
    const state = foldEvents(evolveStudent, initialStudentState, [studentRegistered()]);
    expect(() => decideStudent(state, freeze(), { actor: admin, now: NOW }, { min: 10, max: 5 })).toThrow(
      AssertionError,
    );
  });

  it('asserts on an unreadable time', () => {
    const state = foldEvents(evolveStudent, initialStudentState, [studentRegistered()]);
    expect(() => decideStudent(state, freeze(), { actor: admin, now: 'yesterday' })).toThrow(/now must be/);
  });
});
