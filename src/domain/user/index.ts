/** The user aggregate: accounts with a role (a student user bound to a student), role changes, disabling, a teacher's classes, logouts. */
export * from './bootstrap-admin';
export * from './decide-assign-user-classes';
export * from './decide-user';
export * from './decide-end-user-session';
export * from './decide-user-account';
export * from './evolve-user';
export * from './user-commands';
export * from './user-events';
export * from './user-rules';
export * from './user-state';
