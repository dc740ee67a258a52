import {
  type CommandContext,
  type Decision,
  TEXT_LIMITS,
  accept,
  actorRef,
  checkId,
  checkText,
  domainError,
  domainEvent,
  firstError,
  isoTime,
  refuse,
} from '../shared';
import { DEFAULT_INITIAL_SCORE, type ScoreRules, checkScoreInRange } from './score-rules';
import type { RegisterStudent } from './student-commands';
import { STUDENT_STREAM, type StudentRegistered } from './student-events';
import type { StudentState } from './student-state';

/**
 * Registers a student. Refuses: `invalid` input, `conflict` when the id is taken (archived ones
 * included), `rule-broken` when the initial score is outside the allowed range.
 */
export function decideRegisterStudent(
  state: StudentState,
  command: RegisterStudent,
  context: CommandContext,
  rules: ScoreRules,
): Decision<StudentRegistered> {
  const { studentId, name, className } = command.data;
  const initialScore = command.data.initialScore ?? DEFAULT_INITIAL_SCORE;
  const invalid = firstError(
    checkId('studentId', studentId),
    checkText('name', name, TEXT_LIMITS.name),
    checkText('className', className, TEXT_LIMITS.className),
    Number.isSafeInteger(initialScore) ? null : domainError('invalid', 'initialScore must be an integer'),
  );
  if (invalid) return refuse(invalid);
  if (state.exists) return refuse('conflict', `student ${studentId} already exists`);
  const outOfRange = checkScoreInRange(initialScore, rules, 'initial score');
  if (outOfRange) return refuse(outOfRange);
  const data = {
    studentId,
    name: name.trim(),
    className: className.trim(),
    initialScore,
    actor: actorRef(context.actor),
    at: isoTime(context.now),
  };
  return accept([domainEvent(STUDENT_STREAM, studentId, 'StudentRegistered', data)]);
}
