import type { Role } from '../shared';

/** A user as decisions see it: the fold of their stream (no password hash: no decision needs it). */
export interface UserState {
  readonly exists: boolean;
  /** '' until created. */
  readonly username: string;
  /** null until created. */
  readonly role: Role | null;
  readonly displayName: string;
  /** The bound student, for student users only. */
  readonly studentId: string | null;
  readonly disabled: boolean;
  /**
   * The classes a teacher or club user looks after, in the order the admin gave; empty for other
   * roles (a role change away from teacher and club drops them).
   */
  readonly classes: readonly string[];
  /** How many events the stream holds: the expected version of the next append. */
  readonly version: number;
}

/** The state of a user stream with no events. */
export const initialUserState: UserState = Object.freeze({
  exists: false,
  username: '',
  role: null,
  displayName: '',
  studentId: null,
  disabled: false,
  classes: Object.freeze([]) as readonly string[],
  version: 0,
});
