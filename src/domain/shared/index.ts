/** What every aggregate of the domain shares: events, commands, decisions, errors, actors, time. */
export * from './actor';
export * from './command';
export * from './command-context';
export * from './decision';
export * from './domain-error';
export * from './domain-event';
export * from './event-schema';
export * from './fold';
export * from './validation';
