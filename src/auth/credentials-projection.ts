import { USER_STREAM, type UserEvent } from '../domain';
import { type EventLogRow, type Logged, loggedEvent } from '../projections/logged-event';
import { EventLogGapError } from '../projections/projection-errors';
import { CREDENTIALS_CHECKPOINT } from '../projections/projection-status';
import { assert, unreachable } from '../shared/assert';

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
    case 'UserSessionEnded':
      // One session ends (revokedTokenOf): the user's other tokens stay valid.
      return null;
    default:
      return unreachable(event, 'user event');
  }
}

/** A logged-out token, as `revoked_tokens` keeps it until it expires. */
export interface RevokedToken {
  /** The token's `jti` (or the SHA-256 of a token without one). */
  readonly tokenId: string;
  readonly username: string;
  /** When the token expires anyway, in epoch milliseconds: the row is kept until then. */
  readonly expiresAt: number;
  /** The log position of the UserSessionEnded that revoked it. */
  readonly position: number;
}

/**
 * The token a logout revokes (pure), or null for any other user event. An expiry that is not a
 * time is a broken invariant (the domain decided it from a token).
 */
export function revokedTokenOf(event: Logged<UserEvent>): RevokedToken | null {
  if (event.type !== 'UserSessionEnded') return null;
  const expiresAt = Date.parse(event.data.expiresAt);
  assert(Number.isFinite(expiresAt), `UserSessionEnded at ${event.position} has no readable expiresAt: ${JSON.stringify(event.data.expiresAt)}`);
  return { tokenId: event.data.tokenId, username: event.data.username, expiresAt, position: event.position };
}

/** A batch of log rows folded into one merged change per username, and the tokens it revokes. */
export interface CredentialsBatch {
  /** Each changed row's merged set, by username (later events win column by column). */
  readonly changes: ReadonlyMap<string, Partial<CredentialsFields>>;
  /** The tokens logged out in the batch, by token id. */
  readonly revoked: ReadonlyMap<string, RevokedToken>;
  /** The position the checkpoint moves to. */
  readonly last: number;
  readonly events: number;
}

/**
 * Folds log rows following position `after` into per-user changes and revoked tokens (pure), as
 * the read-model projector does: rows of other streams are covered but skipped, the batch stops
 * before a gap, and a gap right after `after` throws.
 *
 * @throws EventLogGapError when the first row is not at `after + 1`.
 */
export function planCredentialsBatch(rows: readonly EventLogRow[], after: number): CredentialsBatch {
  const changes = new Map<string, Partial<CredentialsFields>>();
  const revoked = new Map<string, RevokedToken>();
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
    const token = revokedTokenOf(event as Logged<UserEvent>);
    if (token !== null && !revoked.has(token.tokenId)) revoked.set(token.tokenId, token);
  }
  return { changes, revoked, last, events: last - after };
}
