/** The reason aggregate: the school's catalogue of reasons for score changes (code, labels, default delta). */
export * from './decide-reason';
export * from './evolve-reason';
export * from './reason-commands';
export * from './reason-events';
export * from './reason-rules';
export * from './reason-state';
