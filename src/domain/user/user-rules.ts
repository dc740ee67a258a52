import { type DomainError, type Role, ROLES, TEXT_LIMITS, checkId, checkText, domainError, isRole } from '../shared';

/** Usernames: 3..64 lowercase letters, digits or `._-`, starting with a letter or digit. */
const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/** An `invalid` error unless `value` is a well-formed username. */
export function checkUsername(value: unknown): DomainError | null {
  if (typeof value === 'string' && USERNAME_PATTERN.test(value)) return null;
  return domainError(
    'invalid',
    'username must be 3..64 lowercase letters, digits or ._- starting with a letter or digit',
  );
}

/**
 * An `invalid` error unless the role is known and the binding fits it: a student user is bound to
 * a studentId, every other role to none.
 */
export function checkRoleBinding(role: unknown, studentId: string | undefined): DomainError | null {
  if (!isRole(role)) return domainError('invalid', `role must be one of ${ROLES.join(', ')}`);
  if (role === 'student' && studentId === undefined)
    return domainError('invalid', 'a student user must be bound to a studentId');
  if (role !== 'student' && studentId !== undefined)
    return domainError('invalid', `a ${role} user is bound to no studentId`);
  return studentId === undefined ? null : checkId('studentId', studentId);
}

/** Classes one teacher or club user looks after at most. */
export const USER_CLASSES_MAX = 20;

/** The roles that look after classes ("my classes"); other roles hold none. */
export const CLASS_HOLDER_ROLES: readonly Role[] = Object.freeze(['teacher', 'club']);

/** True for a role that looks after classes. */
export function holdsClasses(role: Role | null): boolean {
  return role !== null && CLASS_HOLDER_ROLES.includes(role);
}

/**
 * An `invalid` error unless `classes` is a list of at most USER_CLASSES_MAX class names, each a
 * non-blank string of at most TEXT_LIMITS.className characters once trimmed, none twice.
 *
 * @example checkClassList(['7A', '7B']) // null
 * @example checkClassList(['7A', ' 7A ']).message // 'classes must not name 7A twice'
 */
export function checkClassList(classes: unknown): DomainError | null {
  if (!Array.isArray(classes)) return domainError('invalid', 'classes must be a list of class names');
  if (classes.length > USER_CLASSES_MAX) return domainError('invalid', `classes must name at most ${USER_CLASSES_MAX} classes`);
  const seen = new Set<string>();
  for (const [i, name] of (classes as unknown[]).entries()) {
    const invalid = checkText(`classes[${i}]`, name, TEXT_LIMITS.className);
    if (invalid) return invalid;
    const trimmed = (name as string).trim();
    if (seen.has(trimmed)) return domainError('invalid', `classes must not name ${trimmed} twice`);
    seen.add(trimmed);
  }
  return null;
}

/**
 * Token ids (a token's `jti` claim, or the base64url SHA-256 of a token without one): 1..64
 * base64url characters.
 */
export const TOKEN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** An `invalid` error unless `value` is a well-formed token id (TOKEN_ID_PATTERN). */
export function checkTokenId(value: unknown): DomainError | null {
  if (typeof value === 'string' && TOKEN_ID_PATTERN.test(value)) return null;
  return domainError('invalid', 'tokenId must be 1..64 base64url characters');
}

/**
 * An `invalid` error unless `value` is an ISO-8601 UTC time as events record it
 * (`2025-03-01T09:00:00.000Z`).
 */
export function checkIsoTime(field: string, value: unknown): DomainError | null {
  if (typeof value === 'string' && Number.isFinite(Date.parse(value)) && new Date(Date.parse(value)).toISOString() === value) return null;
  return domainError('invalid', `${field} must be an ISO-8601 UTC time such as 2025-03-01T09:00:00.000Z`);
}
