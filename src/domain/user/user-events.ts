import type { ActorRef, DomainEvent, Role } from '../shared';

/** The stream type of user events; the stream id is the username. */
export const USER_STREAM = 'user';

/** An event of the user stream. */
type UserEventOf<Type extends string, Data> = DomainEvent<Type, Data, typeof USER_STREAM>;

/**
 * A user was created. Carries the password hash (never the password) because the login reads it;
 * public projections and the event feed must leave it out.
 */
export type UserCreated = UserEventOf<
  'UserCreated',
  {
    readonly username: string;
    readonly passwordHash: string;
    readonly role: Role;
    readonly displayName: string;
    readonly studentId?: string;
    /** Who created the user (SYSTEM_ACTOR for the bootstrap admin). */
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/** A user's role changed; `studentId` is the binding that holds from now on (student role only). */
export type UserRoleChanged = UserEventOf<
  'UserRoleChanged',
  {
    readonly username: string;
    readonly role: Role;
    readonly previousRole: Role;
    readonly studentId?: string;
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/** A user was disabled. */
export type UserDisabled = UserEventOf<
  'UserDisabled',
  { readonly username: string; readonly actor: ActorRef; readonly at: string }
>;

/** A disabled user was enabled again. */
export type UserEnabled = UserEventOf<
  'UserEnabled',
  { readonly username: string; readonly actor: ActorRef; readonly at: string }
>;

/** A user's password was reset by an admin (the hash, never the password; public views leave it out). */
export type UserPasswordReset = UserEventOf<
  'UserPasswordReset',
  { readonly username: string; readonly passwordHash: string; readonly actor: ActorRef; readonly at: string }
>;

/** A user's display name changed. */
export type UserRenamed = UserEventOf<
  'UserRenamed',
  { readonly username: string; readonly displayName: string; readonly actor: ActorRef; readonly at: string }
>;

/** A teacher's or club's classes were set: `classes` is the whole list from now on (trimmed, distinct). */
export type UserClassesAssigned = UserEventOf<
  'UserClassesAssigned',
  { readonly username: string; readonly classes: readonly string[]; readonly actor: ActorRef; readonly at: string }
>;

/**
 * One session of the user ended (logout): every node refuses the token `tokenId` names (its `jti`
 * claim, or a SHA-256 of a token without one) until `expiresAt`, when the token expires anyway.
 * It leaves the user as it is: their other sessions go on.
 */
export type UserSessionEnded = UserEventOf<
  'UserSessionEnded',
  { readonly username: string; readonly tokenId: string; readonly expiresAt: string; readonly actor: ActorRef; readonly at: string }
>;

/** Every event of the user stream. */
export type UserEvent =
  | UserCreated
  | UserRoleChanged
  | UserDisabled
  | UserEnabled
  | UserPasswordReset
  | UserRenamed
  | UserClassesAssigned
  | UserSessionEnded;
