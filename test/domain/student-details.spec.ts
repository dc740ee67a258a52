import type { CorrectStudentDetails, StudentDetailsCorrected, StudentMovedToClass } from '../../src/domain';
import { student } from './deciders';
import {
  NOW,
  admin,
  club,
  ref,
  studentActor,
  studentArchived,
  studentFrozen,
  studentRegistered,
  teacher,
} from './fixtures';

const correct = (data: Omit<Partial<CorrectStudentDetails['data']>, 'studentId'>): CorrectStudentDetails => ({
  type: 'CorrectStudentDetails',
  data: { studentId: 's-1', ...data },
});

const corrected = (name: string): StudentDetailsCorrected => ({
  type: 'StudentDetailsCorrected',
  schemaVersion: 1,
  streamType: 'student',
  streamId: 's-1',
  data: { studentId: 's-1', name, previousName: 'Kim Min', actor: ref(admin), at: NOW },
});

const moved = (toClassName: string): StudentMovedToClass => ({
  type: 'StudentMovedToClass',
  schemaVersion: 1,
  streamType: 'student',
  streamId: 's-1',
  data: { studentId: 's-1', fromClassName: '7A', toClassName, actor: ref(admin), at: NOW },
});

describe('CorrectStudentDetails', () => {
  it('corrects the name: StudentDetailsCorrected', () => {
    const state = student
      .given([studentRegistered()])
      .when(correct({ name: 'Kim Minji ' }))
      .then([corrected('Kim Minji')]);
    expect(state).toMatchObject({ name: 'Kim Minji', className: '7A', version: 2 });
  });

  it('moves the student to another class: StudentMovedToClass', () => {
    const state = student
      .given([studentRegistered()])
      .when(correct({ className: '7B' }))
      .then([moved('7B')]);
    expect(state).toMatchObject({ name: 'Kim Min', className: '7B', score: 100 });
  });

  it('corrects the name and moves the class in one decision', () => {
    student
      .given([studentRegistered()])
      .when(correct({ name: 'Kim Minji', className: '7B' }))
      .then([corrected('Kim Minji'), moved('7B')]);
  });

  it('decides no events when the details are already as given', () => {
    student
      .given([studentRegistered()])
      .when(correct({ name: 'Kim Min', className: ' 7A ' }))
      .then([]);
  });

  it('corrects the name of a frozen student (only moving is held back)', () => {
    student
      .given([studentRegistered(), studentFrozen()])
      .when(correct({ name: 'Kim Minji' }))
      .then([corrected('Kim Minji')]);
  });

  it.each([
    ['teacher', teacher],
    ['club', club],
    ['student', studentActor],
  ])('refuses a %s: forbidden', (_role, actor) => {
    student
      .given([studentRegistered()])
      .when(correct({ name: 'X' }), { actor })
      .thenRefused('forbidden');
  });

  it.each([
    ['no field to correct', {}, /name or className must be given/],
    ['a blank name', { name: ' ' }, /name must not be empty/],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, /name/],
    ['an empty className', { className: '' }, /className/],
    ['a className that is not a string', { className: 7 as unknown as string }, /className must be a string/],
  ])('refuses %s: invalid', (_what, data, message) => {
    student.given([studentRegistered()]).when(correct(data)).thenRefused('invalid', message);
  });

  it('refuses an unknown student: not-found', () => {
    student
      .given([])
      .when(correct({ name: 'X' }))
      .thenRefused('not-found', /s-1 does not exist/);
  });

  it('refuses an archived student: conflict', () => {
    student
      .given([studentRegistered(), studentArchived()])
      .when(correct({ name: 'X' }))
      .thenRefused('conflict', /archived/);
  });

  it('refuses to move a frozen student: conflict', () => {
    student
      .given([studentRegistered(), studentFrozen()])
      .when(correct({ className: '7B' }))
      .thenRefused('conflict', /frozen/);
  });
});
