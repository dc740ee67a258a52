import type { Decision, DomainErrorCode } from '../../src/domain';

/** A decider as the tests drive it: decide and evolve over one state, and where a stream starts. */
export interface Decider<S, C, E, X> {
  decide(state: S, command: C, context: X): Decision<E>;
  evolve(state: S, event: E): S;
  initialState: S;
}

/** The outcome of `when`: assert the events decided, or the refusal. */
export interface Then<S, E> {
  /** Expects exactly `events`, in order; returns the state after them. */
  then(events: E[]): S;
  /** Expects a refusal with `code` (and a message matching `message`); no events. */
  thenRefused(code: DomainErrorCode, message?: RegExp): void;
}

/**
 * Given/when/then for a decider: `given(events)` folds the history, `when(command, context?)` decides
 * (context fields override the default context), `then`/`thenRefused` assert.
 *
 * @example
 * const { given } = scenario(studentDecider, { actor: admin, now });
 * given([registered]).when(modify(+5)).then([scoreModified(5, 105)]);
 */
export function scenario<S, C, E, X extends object>(decider: Decider<S, C, E, X>, defaultContext: X) {
  return {
    given(events: E[]) {
      const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState);
      return {
        when(command: C, context: Partial<X> = {}): Then<S, E> {
          const decision = decider.decide(state, command, { ...defaultContext, ...context });
          return {
            then(expected: E[]): S {
              expect(decision).toEqual({ ok: true, events: expected });
              return expected.reduce((s, e) => decider.evolve(s, e), state);
            },
            thenRefused(code: DomainErrorCode, message?: RegExp): void {
              expect(decision).toEqual({ ok: false, error: { code, message: expect.any(String) } });
              if (!decision.ok && message) expect(decision.error.message).toMatch(message);
            },
          };
        },
      };
    },
  };
}
