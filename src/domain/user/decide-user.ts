import { assert, unreachable } from '../../shared/assert';
import { type CommandContext, type Decision, hasRole, refuse } from '../shared';
import { decideAssignUserClasses } from './decide-assign-user-classes';
import { decideChangeUserRole } from './decide-change-user-role';
import { decideCreateUser } from './decide-create-user';
import { decideEndUserSession } from './decide-end-user-session';
import { decideRenameUser, decideResetUserPassword } from './decide-user-account';
import { decideDisableUser, decideEnableUser } from './decide-user-access';
import type { UserCommand } from './user-commands';
import type { UserEvent } from './user-events';
import type { UserState } from './user-state';

/**
 * Decides a user command against the user's current state. Only admins manage users (`forbidden`
 * otherwise), except that a user ends their own sessions (EndUserSession, whatever their role);
 * then each command's own checks run (`invalid`, `not-found`, `conflict`, `rule-broken`).
 * Passing another user's state is a programmer error and fails an assertion.
 *
 * @example
 * decideUser(initialUserState, { type: 'CreateUser', data: { username: 'ms.lee', passwordHash, role: 'teacher',
 *   displayName: 'Ms Lee' } }, { actor: admin, now: 1735718400000 })
 */
export function decideUser(state: UserState, command: UserCommand, context: CommandContext): Decision<UserEvent> {
  assert(
    !state.exists || state.username === command.data.username,
    `user state of ${state.username} passed to a command for ${command.data.username}`,
  );
  if (command.type === 'EndUserSession') return decideEndUserSession(state, command, context);
  if (!hasRole(context.actor, ['admin'])) return refuse('forbidden', `role ${context.actor.role} may not manage users`);
  switch (command.type) {
    case 'CreateUser':
      return decideCreateUser(state, command, context);
    case 'ChangeUserRole':
      return decideChangeUserRole(state, command, context);
    case 'DisableUser':
      return decideDisableUser(state, command, context);
    case 'EnableUser':
      return decideEnableUser(state, command, context);
    case 'ResetUserPassword':
      return decideResetUserPassword(state, command, context);
    case 'RenameUser':
      return decideRenameUser(state, command, context);
    case 'AssignUserClasses':
      return decideAssignUserClasses(state, command, context);
    default:
      return unreachable(command, 'user command');
  }
}
