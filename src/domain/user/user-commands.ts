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

/** Every command the user aggregate decides. */
export type UserCommand = CreateUser | ChangeUserRole | DisableUser | EnableUser;
