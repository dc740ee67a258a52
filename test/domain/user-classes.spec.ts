import {
  type AssignUserClasses,
  type UserClassesAssigned,
  type UserRoleChanged,
  USER_CLASSES_MAX,
  evolveUser,
  initialUserState,
} from '../../src/domain';
import { user } from './deciders';
import { NOW, admin, club, ref, studentActor, teacher, userCreated, userDisabled } from './fixtures';

const assign = (classes: readonly string[], username = 'ms.lee'): AssignUserClasses => ({ type: 'AssignUserClasses', data: { username, classes } });

const assigned = (classes: readonly string[], username = 'ms.lee'): UserClassesAssigned => ({
  type: 'UserClassesAssigned',
  schemaVersion: 1,
  streamType: 'user',
  streamId: username,
  data: { username, classes, actor: ref(admin), at: NOW },
});

const roleChanged = (role: UserRoleChanged['data']['role'], previousRole: UserRoleChanged['data']['role'], studentId?: string): UserRoleChanged => ({
  type: 'UserRoleChanged',
  schemaVersion: 1,
  streamType: 'user',
  streamId: 'ms.lee',
  data: { username: 'ms.lee', role, previousRole, ...(studentId ? { studentId } : {}), actor: ref(admin), at: NOW },
});

const classNames = (count: number) => Array.from({ length: count }, (_, i) => `Class ${i + 1}`);

describe('AssignUserClasses', () => {
  it.each(['teacher', 'club'] as const)("sets a %s user's classes: UserClassesAssigned, in the order given", (role) => {
    const state = user
      .given([userCreated('ms.lee', role)])
      .when(assign(['7B', '7A']))
      .then([assigned(['7B', '7A'])]);
    expect(state.classes).toEqual(['7B', '7A']);
  });

  it('replaces the whole list, and an empty list leaves the user with no class', () => {
    const replaced = user
      .given([userCreated('ms.lee', 'teacher'), assigned(['7A', '7B'])])
      .when(assign(['8C']))
      .then([assigned(['8C'])]);
    expect(replaced.classes).toEqual(['8C']);
    const none = user
      .given([userCreated('ms.lee', 'teacher'), assigned(['7A'])])
      .when(assign([]))
      .then([assigned([])]);
    expect(none.classes).toEqual([]);
  });

  it('trims the names it records', () => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(assign(['  7A ', '初二(3)班']))
      .then([assigned(['7A', '初二(3)班'])]);
  });

  it('decides no events for the list the user already has (trimmed), nor for no class on a user with none', () => {
    user
      .given([userCreated('ms.lee', 'teacher'), assigned(['7A', '7B'])])
      .when(assign(['7A', ' 7B']))
      .then([]);
    user
      .given([userCreated('ms.lee', 'club')])
      .when(assign([]))
      .then([]);
  });

  it('decides an event for the same classes in another order (the order is what the user is shown)', () => {
    user
      .given([userCreated('ms.lee', 'teacher'), assigned(['7A', '7B'])])
      .when(assign(['7B', '7A']))
      .then([assigned(['7B', '7A'])]);
  });

  it('sets the classes of a disabled user (ready for when they are enabled again)', () => {
    user
      .given([userCreated('ms.lee', 'teacher'), userDisabled('ms.lee')])
      .when(assign(['7A']))
      .then([assigned(['7A'])]);
  });

  it(`takes ${USER_CLASSES_MAX} classes, and names of ${64} characters`, () => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(assign(classNames(USER_CLASSES_MAX)))
      .then([assigned(classNames(USER_CLASSES_MAX))]);
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(assign(['c'.repeat(64)]))
      .then([assigned(['c'.repeat(64)])]);
  });

  it('refuses an unknown user: not-found', () => {
    user
      .given([])
      .when(assign(['7A']))
      .thenRefused('not-found', /ms.lee does not exist/);
  });

  it.each(['admin', 'student'] as const)('refuses a user who is %s: rule-broken (only teacher and club users look after classes)', (role) => {
    user
      .given([userCreated('ms.lee', role, role === 'student' ? 's-1' : undefined)])
      .when(assign(['7A']))
      .thenRefused('rule-broken', new RegExp(`ms.lee is ${role}: only teacher and club users look after classes`));
  });

  it.each([
    [`${USER_CLASSES_MAX + 1} classes`, classNames(USER_CLASSES_MAX + 1), new RegExp(`at most ${USER_CLASSES_MAX} classes`)],
    ['an empty name', ['7A', ''], /classes\[1\] must not be empty/],
    ['a blank name', ['   '], /classes\[0\] must not be empty/],
    ['a name over 64 characters', ['c'.repeat(65)], /classes\[0\] must be at most 64 characters/],
    ['a name that is not a string', [7 as unknown as string], /classes\[0\] must be a string/],
    ['a name twice', ['7A', '7B', ' 7A'], /must not name 7A twice/],
    ['no list at all', '7A' as unknown as string[], /classes must be a list/],
  ])('refuses %s: invalid', (_what, classes, message) => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(assign(classes))
      .thenRefused('invalid', message);
  });

  it('checks the list before the user: a bad list for an unknown user is invalid', () => {
    user
      .given([])
      .when(assign(['']))
      .thenRefused('invalid');
  });

  it.each([
    ['teacher', teacher],
    ['club', club],
    ['student', studentActor],
  ] as const)('refuses a %s as the actor: forbidden (a teacher cannot pick their own classes)', (_role, actor) => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(assign(['7A']), { actor })
      .thenRefused('forbidden', /may not manage users/);
  });
});

describe('a role change and the classes', () => {
  const base = [userCreated('ms.lee', 'teacher'), assigned(['7A'])];

  it('keeps the classes from teacher to club and back', () => {
    const state = base.reduce(evolveUser, initialUserState);
    const asClub = evolveUser(state, roleChanged('club', 'teacher'));
    expect(asClub.classes).toEqual(['7A']);
    expect(evolveUser(asClub, roleChanged('teacher', 'club')).classes).toEqual(['7A']);
  });

  it.each([
    ['admin', undefined],
    ['student', 's-1'],
  ] as const)('drops them when the user becomes %s', (role, studentId) => {
    const state = [...base, roleChanged(role, 'teacher', studentId)].reduce(evolveUser, initialUserState);
    expect(state.classes).toEqual([]);
    // Back to teacher: no class until an admin assigns some again.
    expect(evolveUser(state, roleChanged('teacher', role)).classes).toEqual([]);
  });
});
