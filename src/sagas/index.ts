/**
 * Sagas: multi-step operations over many log entries, with compensation. Pure workflows:
 * `decideSaga(state, now)` names the next command, `runSagaCommand` turns it into one log entry,
 * `evolveSaga` folds the saga's stream. The leader's runtime (application/sagas) drives them.
 */
export * from './decide-saga';
export * from './run-saga-command';
export * from './saga-events';
export * from './saga-state';
export * from './saga-steps';
export * from './start-saga';
