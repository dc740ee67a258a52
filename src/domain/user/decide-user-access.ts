import { type CommandContext, type Decision, accept, actorRef, domainEvent, isoTime, refuse } from '../shared';
import type { DisableUser, EnableUser } from './user-commands';
import { USER_STREAM, type UserDisabled, type UserEnabled } from './user-events';
import type { UserState } from './user-state';

/**
 * Disables a user. Refuses: `not-found`, `conflict` when already disabled, `rule-broken` when
 * admins disable themselves (so the last admin cannot lock everyone out by accident).
 */
export function decideDisableUser(
  state: UserState,
  command: DisableUser,
  context: CommandContext,
): Decision<UserDisabled> {
  const { username } = command.data;
  if (!state.exists) return refuse('not-found', `user ${username} does not exist`);
  if (state.disabled) return refuse('conflict', `user ${username} is already disabled`);
  if (username === context.actor.username) return refuse('rule-broken', 'an admin cannot disable themselves');
  const data = { username, actor: actorRef(context.actor), at: isoTime(context.now) };
  return accept([domainEvent(USER_STREAM, username, 'UserDisabled', data)]);
}

/** Enables a disabled user. Refuses: `not-found`, `conflict` when not disabled. */
export function decideEnableUser(
  state: UserState,
  command: EnableUser,
  context: CommandContext,
): Decision<UserEnabled> {
  const { username } = command.data;
  if (!state.exists) return refuse('not-found', `user ${username} does not exist`);
  if (!state.disabled) return refuse('conflict', `user ${username} is not disabled`);
  const data = { username, actor: actorRef(context.actor), at: isoTime(context.now) };
  return accept([domainEvent(USER_STREAM, username, 'UserEnabled', data)]);
}
