/** The student aggregate: registration, details, score changes within the allowed range, freeze, archive. */
export * from './decide-student';
export * from './evolve-student';
export * from './score-rules';
export * from './student-commands';
export * from './student-events';
export * from './student-state';
