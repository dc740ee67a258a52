/**
 * The behaviour-score domain: pure decide/evolve per aggregate (student, application, user, reason).
 * Nothing here does I/O or reads a clock; time and the acting user come in a CommandContext.
 *
 * @example
 * const state = foldEvents(evolveStudent, initialStudentState, events);
 * const decision = decideStudent(state, command, { actor, now }, rules);
 * if (decision.ok) propose(decision.events); else reply(DOMAIN_ERROR_STATUS[decision.error.code], decision.error);
 */
export * from './application';
export * from './reason';
export * from './event-schemas';
export * from './shared';
export * from './student';
export * from './user';
