import { type CommandContext, type Decision, accept, actorRef, domainEvent, isoTime, refuse } from '../shared';
import type { EndUserSession } from './user-commands';
import { USER_STREAM, type UserSessionEnded } from './user-events';
import { checkIsoTime, checkTokenId } from './user-rules';
import type { UserState } from './user-state';

/**
 * Ends one of the user's sessions: UserSessionEnded, which every node's token check applies.
 * Decided for the user themselves only, whatever their role (an admin ends no one else's session:
 * disabling the user ends them all). Refuses: `invalid` token id or expiry, `forbidden` for
 * another actor, `not-found`. A repeated logout is told apart by its command id (derived from
 * the token id), not here.
 *
 * @example decideEndUserSession(kim, { type: 'EndUserSession', data: { username: 'kim', tokenId: 'q7Z…', expiresAt } }, { actor: kim, now })
 */
export function decideEndUserSession(state: UserState, command: EndUserSession, context: CommandContext): Decision<UserSessionEnded> {
  const { username, tokenId, expiresAt } = command.data;
  const invalid = checkTokenId(tokenId) ?? checkIsoTime('expiresAt', expiresAt);
  if (invalid) return refuse(invalid);
  if (context.actor.username !== username) return refuse('forbidden', `${context.actor.username} may not end a session of ${username}`);
  if (!state.exists) return refuse('not-found', `user ${username} does not exist`);
  const data = { username, tokenId, expiresAt, actor: actorRef(context.actor), at: isoTime(context.now) };
  return accept([domainEvent(USER_STREAM, username, 'UserSessionEnded', data)]);
}
