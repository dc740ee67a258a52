import { type DomainError, domainError } from './domain-error';

/** Upper bounds of the domain's free-text fields, in characters after trimming. */
export const TEXT_LIMITS = Object.freeze({
  id: 64,
  name: 100,
  className: 64,
  reason: 500,
  comment: 500,
  displayName: 100,
  passwordHash: 1024,
});

/** Ids (student, application) are short tokens: letters, digits and `._:-`, starting alphanumeric. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/**
 * Checks a required free-text field: a string, non-blank (unless `allowEmpty`), at most `max`
 * characters once trimmed. Returns an `invalid` error naming the field, or null.
 *
 * @example checkText('name', command.data.name, TEXT_LIMITS.name)
 */
export function checkText(field: string, value: unknown, max: number, allowEmpty = false): DomainError | null {
  if (typeof value !== 'string') return domainError('invalid', `${field} must be a string`);
  const text = value.trim();
  if (!allowEmpty && text.length === 0) return domainError('invalid', `${field} must not be empty`);
  if (text.length > max) return domainError('invalid', `${field} must be at most ${max} characters`);
  return null;
}

/** Checks an id field: a non-empty token of at most TEXT_LIMITS.id characters. */
export function checkId(field: string, value: unknown): DomainError | null {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    return domainError('invalid', `${field} must be letters, digits or ._:- starting with a letter or digit`);
  }
  if (value.length > TEXT_LIMITS.id)
    return domainError('invalid', `${field} must be at most ${TEXT_LIMITS.id} characters`);
  return null;
}

/** Checks a score delta: a safe integer other than zero (a zero change is no change to ask for). */
export function checkDelta(value: unknown): DomainError | null {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    return domainError('invalid', 'delta must be an integer');
  if (value === 0) return domainError('invalid', 'delta must not be 0');
  return null;
}

/** The first of `errors` that is not null, or null when all checks passed. */
export function firstError(...errors: (DomainError | null)[]): DomainError | null {
  return errors.find((e) => e !== null) ?? null;
}
