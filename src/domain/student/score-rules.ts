import { assert } from '../../shared/assert';
import { type DomainError, domainError } from '../shared';

/** The allowed score range, both ends included. Configurable per deployment. */
export interface ScoreRules {
  readonly min: number;
  readonly max: number;
}

/** The range used unless configured otherwise: 0..200. */
export const DEFAULT_SCORE_RULES: ScoreRules = Object.freeze({ min: 0, max: 200 });

/** The score a student starts with when registration names none. */
export const DEFAULT_INITIAL_SCORE = 100;

/**
 * Validates configured rules (integers, min <= max) and returns them frozen. Nonsense config is a
 * programmer or operator error at start, so it fails an assertion rather than a decision.
 *
 * @example scoreRules(0, 200)
 */
export function scoreRules(min: number, max: number): ScoreRules {
  assertScoreRules({ min, max });
  return Object.freeze({ min, max });
}

/** Asserts that `rules` is a usable range. */
export function assertScoreRules(rules: ScoreRules): void {
  assert(
    Number.isSafeInteger(rules.min) && Number.isSafeInteger(rules.max) && rules.min <= rules.max,
    `score rules must be integers with min <= max, got ${JSON.stringify(rules)}`,
  );
}

/**
 * A `rule-broken` error when `score` is outside the allowed range, else null.
 *
 * @example checkScoreInRange(205, DEFAULT_SCORE_RULES, 'new score') // new score 205 is outside ... 0..200
 */
export function checkScoreInRange(score: number, rules: ScoreRules, label = 'score'): DomainError | null {
  if (score >= rules.min && score <= rules.max) return null;
  return domainError('rule-broken', `${label} ${score} is outside the allowed range ${rules.min}..${rules.max}`);
}
