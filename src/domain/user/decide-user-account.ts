import { type CommandContext, type Decision, TEXT_LIMITS, accept, actorRef, checkText, domainEvent, isoTime, refuse } from '../shared';
import type { RenameUser, ResetUserPassword } from './user-commands';
import { USER_STREAM, type UserPasswordReset, type UserRenamed } from './user-events';
import type { UserState } from './user-state';

/** Resets a user's password. Refuses: `invalid` hash, `not-found`. */
export function decideResetUserPassword(state: UserState, command: ResetUserPassword, context: CommandContext): Decision<UserPasswordReset> {
  const { username, passwordHash } = command.data;
  const invalid = checkText('passwordHash', passwordHash, TEXT_LIMITS.passwordHash);
  if (invalid) return refuse(invalid);
  if (!state.exists) return refuse('not-found', `user ${username} does not exist`);
  return accept([domainEvent(USER_STREAM, username, 'UserPasswordReset', { username, passwordHash, actor: actorRef(context.actor), at: isoTime(context.now) })]);
}

/** Changes a user's display name; the same name again decides no events. Refuses: `invalid` name, `not-found`. */
export function decideRenameUser(state: UserState, command: RenameUser, context: CommandContext): Decision<UserRenamed> {
  const { username } = command.data;
  const invalid = checkText('displayName', command.data.displayName, TEXT_LIMITS.displayName);
  if (invalid) return refuse(invalid);
  if (!state.exists) return refuse('not-found', `user ${username} does not exist`);
  const displayName = command.data.displayName.trim();
  if (displayName === state.displayName) return accept([]);
  return accept([domainEvent(USER_STREAM, username, 'UserRenamed', { username, displayName, actor: actorRef(context.actor), at: isoTime(context.now) })]);
}
