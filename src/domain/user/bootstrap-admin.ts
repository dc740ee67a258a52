import type { CreateUser } from './user-commands';

/** The first admin, from `ADMIN_USERNAME`/`ADMIN_PASSWORD` (the password already hashed). */
export interface BootstrapAdmin {
  readonly username: string;
  readonly passwordHash: string;
  /** Defaults to BOOTSTRAP_ADMIN_DISPLAY_NAME. */
  readonly displayName?: string;
}

/** The bootstrap admin's display name unless configured. */
export const BOOTSTRAP_ADMIN_DISPLAY_NAME = 'Administrator';

/**
 * The CreateUser command for the first admin, or null once any user exists: the bootstrap admin
 * is created once, through the log, when the cluster first starts. Decide it with
 * `{ actor: SYSTEM_ACTOR, now }` like any other CreateUser; a duplicate username is then a
 * `conflict`, so two nodes racing to bootstrap create one admin.
 *
 * @example bootstrapAdmin(usersExist, { username: 'admin', passwordHash })
 */
export function bootstrapAdmin(anyUserExists: boolean, admin: BootstrapAdmin): CreateUser | null {
  if (anyUserExists) return null;
  const displayName = admin.displayName ?? BOOTSTRAP_ADMIN_DISPLAY_NAME;
  return {
    type: 'CreateUser',
    data: { username: admin.username, passwordHash: admin.passwordHash, role: 'admin', displayName },
  };
}
