import {
  type CommandContext,
  type Decision,
  TEXT_LIMITS,
  accept,
  actorRef,
  checkText,
  domainEvent,
  firstError,
  isoTime,
  refuse,
} from '../shared';
import type { CorrectStudentDetails } from './student-commands';
import { STUDENT_STREAM, type StudentDetailsCorrected, type StudentMovedToClass } from './student-events';
import { checkActiveStudent, checkNotFrozen } from './student-guards';
import type { StudentState } from './student-state';

/**
 * Corrects a student's name (StudentDetailsCorrected) and/or moves them to another class
 * (StudentMovedToClass); a field equal to the current value decides nothing, so a repeated
 * correction is accepted with no events. Refuses: `invalid` when neither field is given or one is
 * malformed, `not-found`, `conflict` when archived, and `conflict` when moving a frozen student
 * (the semester archive freezes a class and must see it unchanged; a name fix is fine).
 */
export function decideCorrectStudentDetails(
  state: StudentState,
  command: CorrectStudentDetails,
  context: CommandContext,
): Decision<StudentDetailsCorrected | StudentMovedToClass> {
  const { studentId, name, className } = command.data;
  if (name === undefined && className === undefined) return refuse('invalid', 'name or className must be given');
  const invalid = firstError(
    name === undefined ? null : checkText('name', name, TEXT_LIMITS.name),
    className === undefined ? null : checkText('className', className, TEXT_LIMITS.className),
  );
  if (invalid) return refuse(invalid);
  const inactive = checkActiveStudent(state, studentId);
  if (inactive) return refuse(inactive);
  const newName = name?.trim() ?? state.name;
  const newClassName = className?.trim() ?? state.className;
  const moves = newClassName !== state.className;
  const frozen = moves ? checkNotFrozen(state, 'move to another class') : null;
  if (frozen) return refuse(frozen);
  const actor = actorRef(context.actor);
  const at = isoTime(context.now);
  const events: (StudentDetailsCorrected | StudentMovedToClass)[] = [];
  if (newName !== state.name) {
    const data = { studentId, name: newName, previousName: state.name, actor, at };
    events.push(domainEvent(STUDENT_STREAM, studentId, 'StudentDetailsCorrected', data));
  }
  if (moves) {
    const data = { studentId, fromClassName: state.className, toClassName: newClassName, actor, at };
    events.push(domainEvent(STUDENT_STREAM, studentId, 'StudentMovedToClass', data));
  }
  return accept(events);
}
