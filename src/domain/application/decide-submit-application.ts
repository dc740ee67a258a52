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
import type { StudentState } from '../student';
import type { SubmitApplication } from './application-commands';
import { APPLICATION_STREAM, type ApplicationSubmitted } from './application-events';
import type { ApplicationState } from './application-state';

/**
 * Submits an application against the application's state and the student's (read, not changed).
 * The allowed range is not checked here: the score may move before review, so approval checks it.
 * Refuses: `forbidden` unless teacher or club, `invalid` input, `conflict` when the applicationId
 * is taken, `not-found` for an unknown student, `conflict` for an archived one.
 */
export function decideSubmitApplication(
  application: ApplicationState,
  student: StudentState,
  command: SubmitApplication,
  context: CommandContext,
): Decision<ApplicationSubmitted> {
  const { applicationId, studentId, delta, reason } = command.data;
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
  const data = {
    applicationId,
    studentId,
    delta,
    reason: reason.trim(),
    actor: actorRef(context.actor),
    at: isoTime(context.now),
  };
  return accept([domainEvent(APPLICATION_STREAM, applicationId, 'ApplicationSubmitted', data)]);
}
