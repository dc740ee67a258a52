/** A user's role: what they may do (see ARCHITECTURE.md, Security). */
export type Role = 'admin' | 'teacher' | 'club' | 'student';

/** Every role, in a fixed order. */
export const ROLES: readonly Role[] = ['admin', 'teacher', 'club', 'student'];

/** True when `value` is one of ROLES. */
export function isRole(value: unknown): value is Role {
  return ROLES.includes(value as Role);
}

/** Who issues a command, taken from their verified token. A student actor is bound to a studentId. */
export interface Actor {
  readonly username: string;
  readonly role: Role;
  readonly studentId?: string;
}

/** Who did it, as events record it (the username and the role they acted in). */
export interface ActorRef {
  readonly username: string;
  readonly role: Role;
}

/** The part of an actor that events record. */
export function actorRef(actor: Actor): ActorRef {
  return { username: actor.username, role: actor.role };
}

/**
 * The actor that decides the bootstrap admin's creation when the cluster first starts: no user
 * exists yet to act, so the system acts as an admin. Nothing else should use it.
 */
export const SYSTEM_ACTOR: Actor = Object.freeze({ username: 'system', role: 'admin' });

/** True when the actor holds one of `roles`. */
export function hasRole(actor: Actor, roles: readonly Role[]): boolean {
  return roles.includes(actor.role);
}
