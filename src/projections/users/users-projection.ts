import { USER_STREAM, type UserEvent, holdsClasses } from '../../domain';
import { unreachable } from '../../shared/assert';
import type { Logged, LoggedEvent } from '../logged-event';
import type { Projection } from '../projection';
import type { RowFields } from '../read-model-tables';
import { type RowChange, rowChange } from '../row-change';

/**
 * The `users` row change of one user event (pure), or null for an event that leaves the row as
 * it is (a logout). Fields are picked one by one: the password hash UserCreated carries never
 * reaches a row.
 */
export function userChange(event: Logged<UserEvent>): RowChange<'users'> | null {
  const fields = userFields(event);
  return fields === null ? null : rowChange('users', event.streamId, { ...fields, position: event.position });
}

function userFields(event: UserEvent): Partial<RowFields<'users'>> | null {
  switch (event.type) {
    case 'UserCreated': {
      const { role, displayName, studentId } = event.data;
      return { role, display_name: displayName, student_id: studentId ?? null, disabled: false, classes: NO_CLASSES };
    }
    case 'UserRoleChanged': {
      // Like the aggregate: a role that looks after no class drops the classes.
      const { role, studentId } = event.data;
      return { role, student_id: studentId ?? null, ...(holdsClasses(role) ? {} : { classes: NO_CLASSES }) };
    }
    case 'UserDisabled':
      return { disabled: true };
    case 'UserEnabled':
      return { disabled: false };
    case 'UserPasswordReset':
      return {};
    case 'UserRenamed':
      return { display_name: event.data.displayName };
    case 'UserClassesAssigned':
      return { classes: JSON.stringify(event.data.classes) };
    case 'UserSessionEnded':
      // A logout shows nowhere in the account: the credentials projection applies it.
      return null;
    default:
      return unreachable(event, 'user event');
  }
}

const NO_CLASSES = '[]';

/** `users`: accounts, roles and bindings, without secrets. */
export const USERS_PROJECTION: Projection = {
  name: 'users',
  tables: ['users'],
  streamTypes: [USER_STREAM],
  project: (event: LoggedEvent) => {
    const change = userChange(event as Logged<UserEvent>);
    return change === null ? [] : [change];
  },
};
