/**
 * What kind of refusal a domain error is. Callers map it: not-found 404, conflict 409,
 * rule-broken 422, forbidden 403, invalid 400 (see DOMAIN_ERROR_STATUS).
 */
export type DomainErrorCode = 'not-found' | 'conflict' | 'rule-broken' | 'forbidden' | 'invalid';

/** Every domain error code, in a fixed order. */
export const DOMAIN_ERROR_CODES: readonly DomainErrorCode[] = [
  'not-found',
  'conflict',
  'rule-broken',
  'forbidden',
  'invalid',
];

/**
 * A command refused for a reason the caller can act on (an operating error, not a bug). Plain data,
 * so it can travel in a command outcome and over NATS unchanged.
 */
export interface DomainError {
  readonly code: DomainErrorCode;
  readonly message: string;
}

/** The HTTP status each domain error code maps to, shared by the REST and NATS replies. */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, number>> = Object.freeze({
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'rule-broken': 422,
});

/**
 * Builds a domain error.
 *
 * @example domainError('conflict', 'student s-1 is frozen')
 */
export function domainError(code: DomainErrorCode, message: string): DomainError {
  return { code, message };
}

/** True when `value` has the shape of a DomainError (for results read back from the log or the wire). */
export function isDomainError(value: unknown): value is DomainError {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return DOMAIN_ERROR_CODES.includes(code as DomainErrorCode) && typeof message === 'string';
}
