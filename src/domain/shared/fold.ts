/**
 * Folds events into state with an aggregate's `evolve`, from its initial state: how an aggregate's
 * current state is rebuilt from its stream.
 *
 * @example const student = foldEvents(evolveStudent, initialStudentState, events);
 */
export function foldEvents<S, E>(evolve: (state: S, event: E) => S, initial: S, events: readonly E[]): S {
  return events.reduce(evolve, initial);
}
