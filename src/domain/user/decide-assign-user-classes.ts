import { type CommandContext, type Decision, accept, actorRef, domainEvent, isoTime, refuse } from '../shared';
import type { AssignUserClasses } from './user-commands';
import { USER_STREAM, type UserClassesAssigned } from './user-events';
import { CLASS_HOLDER_ROLES, checkClassList, holdsClasses } from './user-rules';
import type { UserState } from './user-state';

/**
 * Sets a teacher's or club's classes to the list given (trimmed, in the given order); the same
 * list again decides no events. Refuses: `invalid` list (not a list, over USER_CLASSES_MAX, a
 * blank or too long name, a name twice), `not-found`, `rule-broken` when the user is neither a
 * teacher nor a club (other roles look after no class).
 *
 * @example decideAssignUserClasses(msLee, { type: 'AssignUserClasses', data: { username: 'ms.lee', classes: ['7A'] } }, ctx)
 */
export function decideAssignUserClasses(
  state: UserState,
  command: AssignUserClasses,
  context: CommandContext,
): Decision<UserClassesAssigned> {
  const { username } = command.data;
  const invalid = checkClassList(command.data.classes);
  if (invalid) return refuse(invalid);
  if (!state.exists) return refuse('not-found', `user ${username} does not exist`);
  if (!holdsClasses(state.role)) {
    return refuse('rule-broken', `user ${username} is ${String(state.role)}: only ${CLASS_HOLDER_ROLES.join(' and ')} users look after classes`);
  }
  const classes = command.data.classes.map((name) => name.trim());
  if (sameList(classes, state.classes)) return accept([]);
  const data = { username, classes, actor: actorRef(context.actor), at: isoTime(context.now) };
  return accept([domainEvent(USER_STREAM, username, 'UserClassesAssigned', data)]);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
