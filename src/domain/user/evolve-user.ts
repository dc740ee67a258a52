import { unreachable } from '../../shared/assert';
import type { UserEvent } from './user-events';
import { holdsClasses } from './user-rules';
import type { UserState } from './user-state';

/** Applies one user event to the state (pure; events are facts, nothing is checked). */
export function evolveUser(state: UserState, event: UserEvent): UserState {
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'UserCreated': {
      const { username, role, displayName, studentId } = event.data;
      return { ...next, exists: true, username, role, displayName, studentId: studentId ?? null, disabled: false, classes: [] };
    }
    case 'UserRoleChanged': {
      const { role, studentId } = event.data;
      return { ...next, role, studentId: studentId ?? null, classes: holdsClasses(role) ? state.classes : [] };
    }
    case 'UserDisabled':
      return { ...next, disabled: true };
    case 'UserEnabled':
      return { ...next, disabled: false };
    case 'UserPasswordReset':
      return next;
    case 'UserRenamed':
      return { ...next, displayName: event.data.displayName };
    case 'UserClassesAssigned':
      return { ...next, classes: event.data.classes };
    case 'UserSessionEnded':
      // A logout changes nothing the aggregate decides on: the token checks apply it (credentials projection).
      return next;
    default:
      return unreachable(event, 'user event');
  }
}
