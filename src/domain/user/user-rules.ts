import { type DomainError, ROLES, checkId, domainError, isRole } from '../shared';

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
