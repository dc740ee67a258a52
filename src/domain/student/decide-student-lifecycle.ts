import { type CommandContext, type Decision, accept, actorRef, checkId, domainEvent, isoTime, refuse } from '../shared';
import type { ArchiveStudent, FreezeStudent, UnfreezeStudent } from './student-commands';
import { STUDENT_STREAM, type StudentArchived, type StudentFrozen, type StudentUnfrozen } from './student-events';
import { checkActiveStudent, checkNotFrozen } from './student-guards';
import type { StudentState } from './student-state';

/** Freezes a student's score. Refuses: `invalid` sagaId, `not-found`, `conflict` when archived or already frozen. */
export function decideFreezeStudent(
  state: StudentState,
  command: FreezeStudent,
  context: CommandContext,
): Decision<StudentFrozen> {
  const { studentId, sagaId } = command.data;
  const invalid = sagaId === undefined ? null : checkId('sagaId', sagaId);
  if (invalid) return refuse(invalid);
  const blocked = checkActiveStudent(state, studentId) ?? checkNotFrozen(state, 'freeze again');
  if (blocked) return refuse(blocked);
  const data = {
    studentId,
    actor: actorRef(context.actor),
    ...(sagaId === undefined ? {} : { sagaId }),
    at: isoTime(context.now),
  };
  return accept([domainEvent(STUDENT_STREAM, studentId, 'StudentFrozen', data)]);
}

/** Lifts a freeze. Refuses: `invalid` sagaId, `not-found`, `conflict` when archived or not frozen. */
export function decideUnfreezeStudent(
  state: StudentState,
  command: UnfreezeStudent,
  context: CommandContext,
): Decision<StudentUnfrozen> {
  const { studentId, sagaId } = command.data;
  const invalid = sagaId === undefined ? null : checkId('sagaId', sagaId);
  if (invalid) return refuse(invalid);
  const blocked = checkActiveStudent(state, studentId);
  if (blocked) return refuse(blocked);
  if (!state.frozen) return refuse('conflict', `student ${studentId} is not frozen`);
  const data = {
    studentId,
    actor: actorRef(context.actor),
    ...(sagaId === undefined ? {} : { sagaId }),
    at: isoTime(context.now),
  };
  return accept([domainEvent(STUDENT_STREAM, studentId, 'StudentUnfrozen', data)]);
}

/**
 * Archives a student with their final score. Refuses: `not-found`, `conflict` when already
 * archived, and `conflict` when frozen (a semester archive is working on them).
 */
export function decideArchiveStudent(
  state: StudentState,
  command: ArchiveStudent,
  context: CommandContext,
): Decision<StudentArchived> {
  const { studentId } = command.data;
  const blocked = checkActiveStudent(state, studentId) ?? checkNotFrozen(state, 'archive');
  if (blocked) return refuse(blocked);
  const data = { studentId, finalScore: state.score, actor: actorRef(context.actor), at: isoTime(context.now) };
  return accept([domainEvent(STUDENT_STREAM, studentId, 'StudentArchived', data)]);
}
