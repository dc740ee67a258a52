import { type CommandContext, type Decision, accept, actorRef, domainEvent, isoTime, refuse } from '../shared';
import type { ChangeUserRole } from './user-commands';
import { USER_STREAM, type UserRoleChanged } from './user-events';
import { checkRoleBinding } from './user-rules';
import type { UserState } from './user-state';

/**
 * Changes a user's role and student binding; the same role and binding again decides no events.
 * Refuses: `invalid` role or binding, `not-found`, `rule-broken` when admins change their own
 * role (so the last admin cannot lock everyone out by accident).
 */
export function decideChangeUserRole(
  state: UserState,
  command: ChangeUserRole,
  context: CommandContext,
): Decision<UserRoleChanged> {
  const { username, role, studentId } = command.data;
  const invalid = checkRoleBinding(role, studentId);
  if (invalid) return refuse(invalid);
  if (!state.exists || state.role === null) return refuse('not-found', `user ${username} does not exist`);
  if (state.role === role && state.studentId === (studentId ?? null)) return accept([]);
  if (username === context.actor.username) return refuse('rule-broken', 'an admin cannot change their own role');
  const data = {
    username,
    role,
    previousRole: state.role,
    ...(studentId === undefined ? {} : { studentId }),
    actor: actorRef(context.actor),
    at: isoTime(context.now),
  };
  return accept([domainEvent(USER_STREAM, username, 'UserRoleChanged', data)]);
}
