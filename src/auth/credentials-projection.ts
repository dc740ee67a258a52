import { USER_STREAM, type UserEvent } from '../domain';
import { type EventLogRow, type Logged, loggedEvent } from '../projections/logged-event';
import { EventLogGapError } from '../projections/projection-errors';
import { CREDENTIALS_CHECKPOINT } from '../projections/projection-status';
import { unreachable } from '../shared/assert';

/** The checkpoint (and projection set) name of the credentials read model; apart from `read-models`. */
export const CREDENTIALS_PROJECTION = CREDENTIALS_CHECKPOINT;

/** A `user_credentials` row as the projection computes it. */
export interface CredentialsRow {
  readonly username: string;
  readonly password_hash: string;
  readonly role: string;
  readonly student_id: string | null;
  readonly disabled: boolean;
  readonly position: number;
}

/** A row without its key: what a change sets. */
export type CredentialsFields = Omit<CredentialsRow, 'username'>;

/**
 * What a row holds before any event set it. Only a row changed before it was created (which no
 * log the domain decided contains) keeps them; an empty hash never verifies.
 */
export const CREDENTIALS_DEFAULTS: CredentialsFields = Object.freeze({
  password_hash: '',
  role: '',
  student_id: null,
  disabled: false,
  position: 0,
});

/**
 * What one user event does to its user's credentials row (pure; changes compose by overwriting),
 * or null for an event that leaves the row as it is: the row's position is the version tokens are
 * issued at, and moving it signs the user out everywhere.
 */
export function credentialsChange(event: Logged<UserEvent>): Partial<CredentialsFields> | null {
  const fields = credentialsFields(event);
  return fields === null ? null : { ...fields, position: event.position };
}

function credentialsFields(event: UserEvent): Partial<CredentialsFields> | null {
  switch (event.type) {
    case 'UserCreated': {
      const { passwordHash, role, studentId } = event.data;
      return { password_hash: passwordHash, role, student_id: studentId ?? null, disabled: false };
    }
    case 'UserRoleChanged':
      return { role: event.data.role, student_id: event.data.studentId ?? null };
    case 'UserDisabled':
      return { disabled: true };
    case 'UserEnabled':
      return { disabled: false };
    case 'UserPasswordReset':
      return { password_hash: event.data.passwordHash };
    case 'UserRenamed':
      return {};
    case 'UserClassesAssigned':
      // A teacher's classes grant nothing the token carries: assigning them signs no one out.
      return null;
    default:
      return unreachable(event, 'user event');
  }
}

/** A batch of log rows folded into one merged change per username. */
export interface CredentialsBatch {
  /** Each changed row's merged set, by username (later events win column by column). */
  readonly changes: ReadonlyMap<string, Partial<CredentialsFields>>;
  /** The position the checkpoint moves to. */
  readonly last: number;
  readonly events: number;
}

/**
 * Folds log rows following position `after` into per-user changes (pure), as the read-model
 * projector does: rows of other streams are covered but skipped, the batch stops before a gap,
 * and a gap right after `after` throws.
 *
 * @throws EventLogGapError when the first row is not at `after + 1`.
 */
export function planCredentialsBatch(rows: readonly EventLogRow[], after: number): CredentialsBatch {
  const changes = new Map<string, Partial<CredentialsFields>>();
  let last = after;
  for (const row of rows) {
    const position = Number(row.position);
    if (position !== last + 1) {
      if (last === after) throw new EventLogGapError(after + 1, position);
      break;
    }
    last = position;
    if (row.stream_type !== USER_STREAM) continue;
    const event = loggedEvent(row);
    const change = credentialsChange(event as Logged<UserEvent>);
    if (change !== null) changes.set(event.streamId, { ...changes.get(event.streamId), ...change });
  }
  return { changes, last, events: last - after };
}
