/** The application aggregate: score-change requests submitted by staff and reviewed once by an admin. */
export * from './application-commands';
export * from './application-events';
export * from './application-state';
export * from './decide-application';
export * from './decide-review';
export * from './decide-submit-application';
export * from './evolve-application';
