import { assert } from '../../shared/assert';
import {
  type CommandContext,
  type Decision,
  TEXT_LIMITS,
  accept,
  actorRef,
  checkDelta,
  checkId,
  checkText,
  domainEvent,
  firstError,
  hasRole,
  isoTime,
  refuse,
} from '../shared';
import { DEFAULT_SCORE_RULES, type ScoreRules, type StudentState } from '../student';
import type { SubmitApplication } from './application-commands';
import { APPLICATION_STREAM, type ApplicationSubmitted } from './application-events';
import type { ApplicationState } from './application-state';

/**
 * Submits an application against the application's state and the student's (read, not changed).
 * Only a delta that can never fit the allowed range (larger than `max - min` either way) is refused
 * here; whether it fits the student's score is checked on approval, against the score then (other
 * changes and approvals may move it in between, so the current score would refuse applications
 * that could still be approved). Refuses: `forbidden` unless teacher or club, `invalid` input,
 * `conflict` when the applicationId is taken, `not-found` for an unknown student, `conflict` for an
 * archived one, `rule-broken` for a delta no score in the range could take.
 */
export function decideSubmitApplication(
  application: ApplicationState,
  student: StudentState,
  command: SubmitApplication,
  context: CommandContext,
  rules: ScoreRules = DEFAULT_SCORE_RULES,
): Decision<ApplicationSubmitted> {
  const { applicationId, studentId, delta, reason, reasonCode } = command.data;
  assert(
    !student.exists || student.studentId === studentId,
    `student state of ${student.studentId} passed for ${studentId}`,
  );
  if (!hasRole(context.actor, ['teacher', 'club'])) {
    return refuse('forbidden', `role ${context.actor.role} may not submit applications`);
  }
  const invalid = firstError(
    checkId('applicationId', applicationId),
    checkId('studentId', studentId),
    checkDelta(delta),
    checkText('reason', reason, TEXT_LIMITS.reason),
  );
  if (invalid) return refuse(invalid);
  if (application.exists) return refuse('conflict', `application ${applicationId} already exists`);
  if (!student.exists) return refuse('not-found', `student ${studentId} does not exist`);
  if (student.archived) return refuse('conflict', `student ${studentId} is archived`);
  const span = rules.max - rules.min;
  if (Math.abs(delta) > span) {
    const signed = delta > 0 ? `+${delta}` : String(delta);
    return refuse(
      'rule-broken',
      `delta ${signed} can never fit the allowed range ${rules.min}..${rules.max} (a change moves a score by at most ${span})`,
    );
  }
  const data = {
    applicationId,
    studentId,
    delta,
    reason: reason.trim(),
    reasonCode: reasonCode ?? null,
    actor: actorRef(context.actor),
    at: isoTime(context.now),
  };
  return accept([domainEvent(APPLICATION_STREAM, applicationId, 'ApplicationSubmitted', data)]);
}
