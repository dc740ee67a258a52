import {
  type CommandContext,
  type Decision,
  type DomainError,
  TEXT_LIMITS,
  accept,
  actorRef,
  checkDelta,
  checkId,
  checkText,
  domainError,
  domainEvent,
  firstError,
  isoTime,
  refuse,
} from '../shared';
import { type ScoreRules, checkScoreInRange } from './score-rules';
import { type ModifyScore, SCORE_SOURCES, type ScoreSource } from './student-commands';
import { STUDENT_STREAM, type ScoreModified } from './student-events';
import { checkActiveStudent, checkNotFrozen } from './student-guards';
import type { StudentState } from './student-state';

/**
 * Sources that change a frozen score: the semester archive freezes a class, resets it and, on
 * failure, compensates in reverse, all before it unfreezes. Every other source waits for the thaw.
 */
const FREEZE_EXEMPT_SOURCES: readonly ScoreSource[] = ['archive-reset', 'compensation'];

/** Sources that a saga issues, and so must name it. */
const SAGA_SOURCES: readonly ScoreSource[] = ['batch', 'compensation', 'archive-reset'];

/**
 * Changes a student's score by `delta`, recording the new score. Refuses: `invalid` (delta not a
 * non-zero integer, blank reason, unknown source, missing applicationId or sagaId), `not-found`,
 * `conflict` when archived or frozen (see FREEZE_EXEMPT_SOURCES), and `rule-broken` when the new
 * score would leave the allowed range; a refusal changes nothing.
 */
export function decideModifyScore(
  state: StudentState,
  command: ModifyScore,
  context: CommandContext,
  rules: ScoreRules,
): Decision<ScoreModified> {
  const { studentId, delta, reason, source, sagaId, applicationId, reasonCode } = command.data;
  const invalid = firstError(
    checkDelta(delta),
    checkText('reason', reason, TEXT_LIMITS.reason),
    checkSourceLinks(command.data),
  );
  if (invalid) return refuse(invalid);
  const blocked =
    checkActiveStudent(state, studentId) ??
    (FREEZE_EXEMPT_SOURCES.includes(source) ? null : checkNotFrozen(state, 'change the score'));
  if (blocked) return refuse(blocked);
  const newScore = state.score + delta;
  const outOfRange = checkScoreInRange(newScore, rules, 'new score');
  if (outOfRange) return refuse(outOfRange);
  const data = {
    studentId,
    delta,
    reason: reason.trim(),
    reasonCode: reasonCode ?? null,
    source,
    actor: actorRef(context.actor),
    previousScore: state.score,
    newScore,
    ...(sagaId === undefined ? {} : { sagaId }),
    ...(applicationId === undefined ? {} : { applicationId }),
    at: isoTime(context.now),
  };
  return accept([domainEvent(STUDENT_STREAM, studentId, 'ScoreModified', data)]);
}

/** Checks the source and the ids it must carry; ids given without being required are checked too. */
function checkSourceLinks(data: ModifyScore['data']): DomainError | null {
  const { source, sagaId, applicationId } = data;
  if (!SCORE_SOURCES.includes(source))
    return domainError('invalid', `source must be one of ${SCORE_SOURCES.join(', ')}`);
  if (source === 'application' && applicationId === undefined) {
    return domainError('invalid', 'a score change from an application must name the applicationId');
  }
  if (SAGA_SOURCES.includes(source) && sagaId === undefined) {
    return domainError('invalid', `a ${source} score change must name the sagaId`);
  }
  return firstError(
    applicationId === undefined ? null : checkId('applicationId', applicationId),
    sagaId === undefined ? null : checkId('sagaId', sagaId),
  );
}
