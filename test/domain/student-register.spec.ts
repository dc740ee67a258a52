import type { RegisterStudent } from '../../src/domain';
import { student } from './deciders';
import { NOW, club, studentActor, studentArchived, studentRegistered, teacher } from './fixtures';

const register = (data: Partial<RegisterStudent['data']> = {}): RegisterStudent => ({
  type: 'RegisterStudent',
  data: { studentId: 's-1', name: 'Kim Min', className: '7A', ...data },
});

describe('RegisterStudent', () => {
  it('registers a new student with the default initial score of 100', () => {
    const state = student
      .given([])
      .when(register())
      .then([studentRegistered(100)]);
    expect(state).toEqual({
      exists: true,
      studentId: 's-1',
      name: 'Kim Min',
      className: '7A',
      score: 100,
      initialScore: 100,
      frozen: false,
      archived: false,
      version: 1,
    });
  });

  it('registers with the initial score given, including the range ends', () => {
    student
      .given([])
      .when(register({ initialScore: 150 }))
      .then([studentRegistered(150)]);
    student
      .given([])
      .when(register({ initialScore: 0 }))
      .then([studentRegistered(0)]);
    student
      .given([])
      .when(register({ initialScore: 200 }))
      .then([studentRegistered(200)]);
  });

  it('records trimmed names, the acting admin and the time passed in as epoch milliseconds', () => {
    student
      .given([])
      .when(register({ name: '  Kim Min ', className: ' 7A' }), { now: Date.parse(NOW) })
      .then([studentRegistered(100)]);
  });

  it('accepts an initial score the configured range allows', () => {
    student
      .given([])
      .when(register({ initialScore: 450 }), { rules: { min: -500, max: 500 } })
      .then([studentRegistered(450)]);
  });

  it.each([
    ['teacher', teacher],
    ['club', club],
    ['student', studentActor],
  ])('refuses a %s: forbidden', (_role, actor) => {
    student.given([]).when(register(), { actor }).thenRefused('forbidden', new RegExp(actor.role));
  });

  it.each([
    ['an empty studentId', { studentId: '' }, /studentId/],
    ['a studentId with spaces', { studentId: 's 1' }, /studentId/],
    ['a studentId over 64 characters', { studentId: 'x'.repeat(65) }, /studentId/],
    ['a blank name', { name: '   ' }, /name must not be empty/],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, /name must be at most 100/],
    ['a name that is not a string', { name: 42 as unknown as string }, /name must be a string/],
    ['an empty className', { className: '' }, /className/],
    ['a className over 64 characters', { className: 'c'.repeat(65) }, /className/],
    ['a fractional initial score', { initialScore: 1.5 }, /initialScore must be an integer/],
    ['a NaN initial score', { initialScore: Number.NaN }, /initialScore/],
  ])('refuses %s: invalid', (_what, data, message) => {
    student.given([]).when(register(data)).thenRefused('invalid', message);
  });

  it('refuses an id already registered: conflict', () => {
    student
      .given([studentRegistered()])
      .when(register({ name: 'Other' }))
      .thenRefused('conflict', /s-1 already exists/);
  });

  it('refuses an id of an archived student: conflict', () => {
    student
      .given([studentRegistered(), studentArchived()])
      .when(register())
      .thenRefused('conflict', /already exists/);
  });

  it.each([-1, 201])('refuses an initial score of %d outside 0..200: rule-broken', (initialScore) => {
    student
      .given([])
      .when(register({ initialScore }))
      .thenRefused('rule-broken', /outside the allowed range 0..200/);
  });

  it('refuses the default 100 when the configured range excludes it: rule-broken', () => {
    student
      .given([])
      .when(register(), { rules: { min: 0, max: 50 } })
      .thenRefused('rule-broken', /0..50/);
  });
});
