import type { Command, Role } from '../shared';

/**
 * Creates a user. The password arrives already hashed (hashing is done outside the domain); a
 * student user names the studentId they are bound to, other roles name none.
 */
export type CreateUser = Command<
  'CreateUser',
  {
    readonly username: string;
    readonly passwordHash: string;
    readonly role: Role;
    readonly displayName: string;
    readonly studentId?: string;
  }
>;

/** Changes a user's role; changing to `student` binds them to `studentId`, other roles drop the binding. */
export type ChangeUserRole = Command<
  'ChangeUserRole',
  { readonly username: string; readonly role: Role; readonly studentId?: string }
>;

/** Disables a user: they can no longer log in. */
export type DisableUser = Command<'DisableUser', { readonly username: string }>;

/** Enables a disabled user again. */
export type EnableUser = Command<'EnableUser', { readonly username: string }>;

/** Sets a new password (already hashed) for a user: an admin's reset. Every token issued before is void. */
export type ResetUserPassword = Command<'ResetUserPassword', { readonly username: string; readonly passwordHash: string }>;

/** Changes the name a user is shown by. */
export type RenameUser = Command<'RenameUser', { readonly username: string; readonly displayName: string }>;

/**
 * Sets the classes a teacher or club user looks after ("my classes"): the whole list, replacing
 * the one before; an empty list assigns none. A class is a `className` students carry.
 */
export type AssignUserClasses = Command<'AssignUserClasses', { readonly username: string; readonly classes: readonly string[] }>;

/**
 * Ends one session of a user (logout): the token `tokenId` names is refused on every node from
 * then on, until `expiresAt`, when it expires anyway. The user's other sessions go on. Only the
 * user may end their own session: the logout route issues it with the token's own claims.
 */
export type EndUserSession = Command<'EndUserSession', { readonly username: string; readonly tokenId: string; readonly expiresAt: string }>;

/** Every command the user aggregate decides. */
export type UserCommand = CreateUser | ChangeUserRole | DisableUser | EnableUser | ResetUserPassword | RenameUser | AssignUserClasses | EndUserSession;
