import { type DomainError, domainError } from '../shared';
import type { StudentState } from './student-state';

/** `not-found` for a student never registered, `conflict` for an archived one; else null. */
export function checkActiveStudent(state: StudentState, studentId: string): DomainError | null {
  if (!state.exists) return domainError('not-found', `student ${studentId} does not exist`);
  if (state.archived) return domainError('conflict', `student ${studentId} is archived`);
  return null;
}

/** A `conflict` when the student is frozen, else null. */
export function checkNotFrozen(state: StudentState, what: string): DomainError | null {
  return state.frozen ? domainError('conflict', `student ${state.studentId} is frozen: cannot ${what}`) : null;
}
