import {
  type CommandContext,
  type Decision,
  TEXT_LIMITS,
  accept,
  actorRef,
  checkText,
  domainEvent,
  firstError,
  isoTime,
  refuse,
} from '../shared';
import type { CreateUser } from './user-commands';
import { USER_STREAM, type UserCreated } from './user-events';
import { checkRoleBinding, checkUsername } from './user-rules';
import type { UserState } from './user-state';

/**
 * Creates a user. Refuses: `invalid` username, display name, password hash, role or student
 * binding; `conflict` when the username is taken (disabled users keep theirs).
 */
export function decideCreateUser(
  state: UserState,
  command: CreateUser,
  context: CommandContext,
): Decision<UserCreated> {
  const { username, passwordHash, role, displayName, studentId } = command.data;
  const invalid = firstError(
    checkUsername(username),
    checkText('passwordHash', passwordHash, TEXT_LIMITS.passwordHash),
    checkText('displayName', displayName, TEXT_LIMITS.displayName),
    checkRoleBinding(role, studentId),
  );
  if (invalid) return refuse(invalid);
  if (state.exists) return refuse('conflict', `user ${username} already exists`);
  const data = {
    username,
    passwordHash,
    role,
    displayName: displayName.trim(),
    ...(studentId === undefined ? {} : { studentId }),
    actor: actorRef(context.actor),
    at: isoTime(context.now),
  };
  return accept([domainEvent(USER_STREAM, username, 'UserCreated', data)]);
}
