import { USER_STREAM, type UserEvent } from '../../domain';
import { unreachable } from '../../shared/assert';
import type { Logged, LoggedEvent } from '../logged-event';
import type { Projection } from '../projection';
import type { RowFields } from '../read-model-tables';
import { type RowChange, rowChange } from '../row-change';

/**
 * The `users` row change of one user event (pure). Fields are picked one by one: the password
 * hash UserCreated carries never reaches a row.
 */
export function userChange(event: Logged<UserEvent>): RowChange<'users'> {
  return rowChange('users', event.streamId, { ...userFields(event), position: event.position });
}

function userFields(event: UserEvent): Partial<RowFields<'users'>> {
  switch (event.type) {
    case 'UserCreated': {
      const { role, displayName, studentId } = event.data;
      return { role, display_name: displayName, student_id: studentId ?? null, disabled: false };
    }
    case 'UserRoleChanged':
      return { role: event.data.role, student_id: event.data.studentId ?? null };
    case 'UserDisabled':
      return { disabled: true };
    case 'UserEnabled':
      return { disabled: false };
    case 'UserPasswordReset':
      return {};
    case 'UserRenamed':
      return { display_name: event.data.displayName };
    default:
      return unreachable(event, 'user event');
  }
}

/** `users`: accounts, roles and bindings, without secrets. */
export const USERS_PROJECTION: Projection = {
  name: 'users',
  tables: ['users'],
  streamTypes: [USER_STREAM],
  project: (event: LoggedEvent) => [userChange(event as Logged<UserEvent>)],
};
