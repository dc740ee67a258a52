import {
  type ChangeUserRole,
  type CreateUser,
  type DisableUser,
  type EnableUser,
  type UserEnabled,
  type UserRoleChanged,
  SYSTEM_ACTOR,
  bootstrapAdmin,
  decideUser,
  evolveUser,
  foldEvents,
  initialUserState,
} from '../../src/domain';
import { AssertionError } from '../../src/shared/assert';
import { user } from './deciders';
import { NOW, admin, club, ref, studentActor, teacher, userCreated, userDisabled } from './fixtures';

const HASH = userCreated('x', 'admin').data.passwordHash;

const create = (data: Partial<CreateUser['data']> = {}): CreateUser => ({
  type: 'CreateUser',
  data: { username: 'ms.lee', passwordHash: HASH, role: 'teacher', displayName: 'Someone', ...data },
});
const changeRole = (role: ChangeUserRole['data']['role'], studentId?: string, username = 'ms.lee'): ChangeUserRole => ({
  type: 'ChangeUserRole',
  data: { username, role, ...(studentId === undefined ? {} : { studentId }) },
});
const disable = (username = 'ms.lee'): DisableUser => ({ type: 'DisableUser', data: { username } });
const enable = (username = 'ms.lee'): EnableUser => ({ type: 'EnableUser', data: { username } });

const roleChanged = (
  role: UserRoleChanged['data']['role'],
  previousRole: UserRoleChanged['data']['role'],
  studentId?: string,
): UserRoleChanged => ({
  type: 'UserRoleChanged',
  schemaVersion: 1,
  streamType: 'user',
  streamId: 'ms.lee',
  data: { username: 'ms.lee', role, previousRole, ...(studentId ? { studentId } : {}), actor: ref(admin), at: NOW },
});
const userEnabled: UserEnabled = {
  type: 'UserEnabled',
  schemaVersion: 1,
  streamType: 'user',
  streamId: 'ms.lee',
  data: { username: 'ms.lee', actor: ref(admin), at: NOW },
};

const nonAdmins = [
  ['teacher', teacher],
  ['club', club],
  ['student', studentActor],
] as const;

describe('CreateUser', () => {
  it.each(['admin', 'teacher', 'club'] as const)('creates a %s user: UserCreated', (role) => {
    const state = user
      .given([])
      .when(create({ role, displayName: ' Someone ' }))
      .then([userCreated('ms.lee', role)]);
    expect(state).toEqual({
      exists: true,
      username: 'ms.lee',
      role,
      displayName: 'Someone',
      studentId: null,
      disabled: false,
      classes: [],
      version: 1,
    });
  });

  it('creates a student user bound to their student', () => {
    const state = user
      .given([])
      .when(create({ role: 'student', studentId: 's-1' }))
      .then([userCreated('ms.lee', 'student', 's-1')]);
    expect(state.studentId).toBe('s-1');
  });

  it.each(nonAdmins)('refuses a %s: forbidden', (_role, actor) => {
    user
      .given([])
      .when(create(), { actor })
      .thenRefused('forbidden', /may not manage users/);
  });

  it.each([
    ['an uppercase username', { username: 'Ms.Lee' }, /username/],
    ['a username under 3 characters', { username: 'ab' }, /username/],
    ['a username over 64 characters', { username: 'a'.repeat(65) }, /username/],
    ['a username with spaces', { username: 'ms lee' }, /username/],
    ['an empty password hash', { passwordHash: '' }, /passwordHash/],
    ['a password hash over 1024 characters', { passwordHash: 'h'.repeat(1025) }, /passwordHash/],
    ['a blank display name', { displayName: '  ' }, /displayName/],
    ['a display name over 100 characters', { displayName: 'd'.repeat(101) }, /displayName/],
    ['an unknown role', { role: 'janitor' as 'admin' }, /role must be one of admin, teacher, club, student/],
    ['a student user with no studentId', { role: 'student' as const }, /must be bound to a studentId/],
    ['a teacher user with a studentId', { studentId: 's-1' }, /teacher user is bound to no studentId/],
    ['a student user with a malformed studentId', { role: 'student' as const, studentId: 's 1' }, /studentId/],
  ])('refuses %s: invalid', (_what, data, message) => {
    user.given([]).when(create(data)).thenRefused('invalid', message);
  });

  it('refuses a username already taken: conflict', () => {
    user
      .given([userCreated('ms.lee', 'club')])
      .when(create())
      .thenRefused('conflict', /ms.lee already exists/);
  });

  it('refuses the username of a disabled user: conflict', () => {
    user
      .given([userCreated('ms.lee', 'club'), userDisabled('ms.lee')])
      .when(create())
      .thenRefused('conflict');
  });
});

describe('ChangeUserRole', () => {
  it('changes the role: UserRoleChanged', () => {
    const state = user
      .given([userCreated('ms.lee', 'teacher')])
      .when(changeRole('club'))
      .then([roleChanged('club', 'teacher')]);
    expect(state.role).toBe('club');
  });

  it('binds a user turned student to their student, and drops the binding when they stop being one', () => {
    const state = user
      .given([userCreated('ms.lee', 'teacher')])
      .when(changeRole('student', 's-1'))
      .then([roleChanged('student', 'teacher', 's-1')]);
    expect(state.studentId).toBe('s-1');
    const after = user
      .given([userCreated('ms.lee', 'student', 's-1')])
      .when(changeRole('teacher'))
      .then([roleChanged('teacher', 'student')]);
    expect(after.studentId).toBeNull();
  });

  it('rebinds a student user to another student', () => {
    user
      .given([userCreated('ms.lee', 'student', 's-1')])
      .when(changeRole('student', 's-2'))
      .then([roleChanged('student', 'student', 's-2')]);
  });

  it('changes the role of a disabled user', () => {
    user
      .given([userCreated('ms.lee', 'teacher'), userDisabled('ms.lee')])
      .when(changeRole('club'))
      .then([roleChanged('club', 'teacher')]);
  });

  it('decides no events when the role and binding are already as given', () => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(changeRole('teacher'))
      .then([]);
    user
      .given([userCreated('ms.lee', 'student', 's-1')])
      .when(changeRole('student', 's-1'))
      .then([]);
  });

  it.each(nonAdmins)('refuses a %s: forbidden', (_role, actor) => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(changeRole('admin'), { actor })
      .thenRefused('forbidden');
  });

  it.each([
    ['an unknown role', changeRole('janitor' as 'admin'), /role must be one of/],
    ['the student role with no studentId', changeRole('student'), /must be bound to a studentId/],
    ['an admin role with a studentId', changeRole('admin', 's-1'), /admin user is bound to no studentId/],
  ])('refuses %s: invalid', (_what, command, message) => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(command)
      .thenRefused('invalid', message);
  });

  it('refuses an unknown user: not-found', () => {
    user
      .given([])
      .when(changeRole('club'))
      .thenRefused('not-found', /ms.lee does not exist/);
  });

  it('refuses admins changing their own role: rule-broken', () => {
    user
      .given([userCreated('root', 'admin')])
      .when(changeRole('teacher', undefined, 'root'))
      .thenRefused('rule-broken', /own role/);
  });
});

describe('DisableUser', () => {
  it('disables a user: UserDisabled', () => {
    const state = user
      .given([userCreated('ms.lee', 'teacher')])
      .when(disable())
      .then([userDisabled('ms.lee')]);
    expect(state.disabled).toBe(true);
  });

  it.each(nonAdmins)('refuses a %s: forbidden', (_role, actor) => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(disable(), { actor })
      .thenRefused('forbidden');
  });

  it('refuses an unknown user: not-found', () => {
    user.given([]).when(disable()).thenRefused('not-found');
  });

  it('refuses a user already disabled: conflict', () => {
    user
      .given([userCreated('ms.lee', 'teacher'), userDisabled('ms.lee')])
      .when(disable())
      .thenRefused('conflict', /already disabled/);
  });

  it('refuses admins disabling themselves: rule-broken', () => {
    user
      .given([userCreated('root', 'admin')])
      .when(disable('root'))
      .thenRefused('rule-broken', /disable themselves/);
  });
});

describe('EnableUser', () => {
  it('enables a disabled user: UserEnabled', () => {
    const state = user
      .given([userCreated('ms.lee', 'teacher'), userDisabled('ms.lee')])
      .when(enable())
      .then([userEnabled]);
    expect(state.disabled).toBe(false);
  });

  it.each(nonAdmins)('refuses a %s: forbidden', (_role, actor) => {
    user
      .given([userCreated('ms.lee', 'teacher'), userDisabled('ms.lee')])
      .when(enable(), { actor })
      .thenRefused('forbidden');
  });

  it('refuses an unknown user: not-found', () => {
    user.given([]).when(enable()).thenRefused('not-found');
  });

  it('refuses a user who is not disabled: conflict', () => {
    user
      .given([userCreated('ms.lee', 'teacher')])
      .when(enable())
      .thenRefused('conflict', /not disabled/);
  });
});

describe('bootstrapAdmin', () => {
  it('gives the first admin CreateUser while no user exists', () => {
    expect(bootstrapAdmin(false, { username: 'admin', passwordHash: HASH })).toEqual({
      type: 'CreateUser',
      data: { username: 'admin', passwordHash: HASH, role: 'admin', displayName: 'Administrator' },
    });
  });

  it('gives nothing once any user exists', () => {
    expect(bootstrapAdmin(true, { username: 'admin', passwordHash: HASH })).toBeNull();
  });

  it('is decided by the system actor into UserCreated, and a second bootstrap is a conflict', () => {
    const command = bootstrapAdmin(false, { username: 'admin', passwordHash: HASH, displayName: 'Principal' });
    if (command === null) throw new Error('expected a bootstrap command');
    const created = user
      .given([])
      .when(command, { actor: SYSTEM_ACTOR })
      .then([
        {
          type: 'UserCreated',
          schemaVersion: 1,
          streamType: 'user',
          streamId: 'admin',
          data: {
            username: 'admin',
            passwordHash: HASH,
            role: 'admin',
            displayName: 'Principal',
            actor: { username: 'system', role: 'admin' },
            at: NOW,
          },
        },
      ]);
    expect(created).toMatchObject({ exists: true, role: 'admin' });
    const again = decideUser(created, command, { actor: SYSTEM_ACTOR, now: NOW });
    expect(again).toEqual({ ok: false, error: { code: 'conflict', message: 'user admin already exists' } });
  });
});

describe('the user stream', () => {
  it("asserts when given another user's state", () => {
    const other = foldEvents(evolveUser, initialUserState, [userCreated('other', 'club')]);
    expect(() => decideUser(other, disable(), { actor: admin, now: NOW })).toThrow(AssertionError);
  });
});
