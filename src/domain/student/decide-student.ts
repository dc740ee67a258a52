import { assert, unreachable } from '../../shared/assert';
import { type CommandContext, type Decision, refuse } from '../shared';
import { decideCorrectStudentDetails } from './decide-correct-student-details';
import { decideModifyScore } from './decide-modify-score';
import { decideRegisterStudent } from './decide-register-student';
import { decideArchiveStudent, decideFreezeStudent, decideUnfreezeStudent } from './decide-student-lifecycle';
import { DEFAULT_SCORE_RULES, type ScoreRules, assertScoreRules } from './score-rules';
import type { StudentCommand } from './student-commands';
import type { StudentEvent } from './student-events';
import { checkStudentPermission } from './student-permissions';
import type { StudentState } from './student-state';

/**
 * Decides a student command against the student's current state (pure: time comes in the context).
 * Checks run in a fixed order: `forbidden`, then `invalid`, then `not-found` and `conflict`, then
 * `rule-broken`. A refusal decides no events. Passing the state of another student's stream is a
 * programmer error and fails an assertion.
 *
 * @example
 * decideStudent(state, { type: 'ModifyScore', data: { studentId: 's-1', delta: 5, reason: 'helped', source: 'direct' } },
 *   { actor: { username: 'root', role: 'admin' }, now: '2025-01-01T08:00:00Z' })
 */
export function decideStudent(
  state: StudentState,
  command: StudentCommand,
  context: CommandContext,
  rules: ScoreRules = DEFAULT_SCORE_RULES,
): Decision<StudentEvent> {
  assertScoreRules(rules);
  assert(
    !state.exists || state.studentId === command.data.studentId,
    `student state of ${state.studentId} passed to a command for ${command.data.studentId}`,
  );
  const forbidden = checkStudentPermission(command, context.actor);
  if (forbidden) return refuse(forbidden);
  switch (command.type) {
    case 'RegisterStudent':
      return decideRegisterStudent(state, command, context, rules);
    case 'CorrectStudentDetails':
      return decideCorrectStudentDetails(state, command, context);
    case 'ModifyScore':
      return decideModifyScore(state, command, context, rules);
    case 'FreezeStudent':
      return decideFreezeStudent(state, command, context);
    case 'UnfreezeStudent':
      return decideUnfreezeStudent(state, command, context);
    case 'ArchiveStudent':
      return decideArchiveStudent(state, command, context);
    default:
      return unreachable(command, 'student command');
  }
}
