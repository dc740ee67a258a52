import { assert } from '../../shared/assert';
import {
  type CommandContext,
  type Decision,
  type DomainError,
  TEXT_LIMITS,
  accept,
  actorRef,
  checkText,
  domainError,
  domainEvent,
  firstError,
  hasRole,
  isoTime,
  refuse,
} from '../shared';
import { DEFAULT_SCORE_RULES, type ScoreModified, type ScoreRules, type StudentState, decideStudent } from '../student';
import type { ReviewApplication } from './application-commands';
import { APPLICATION_STREAM, type ApplicationApproved, type ApplicationRejected } from './application-events';
import type { ApplicationState } from './application-state';

/** What a review decides: the application's verdict and, on approval, the student's score change. */
export type ReviewEvent = ApplicationApproved | ApplicationRejected | ScoreModified;

/**
 * Reviews an application together with its student, all or nothing: an approval decides
 * `[ApplicationApproved, ScoreModified]` (application stream, then student stream) to be appended
 * in one log entry; a rejection decides `[ApplicationRejected]`. The score change is decided by the
 * student aggregate itself (source `application`), so its rules hold here too. Refuses:
 * `forbidden` unless admin, `invalid` verdict or comment, `not-found` for an unknown application,
 * `conflict` when already reviewed; on approval also the student's refusals: `not-found`,
 * `conflict` when archived or frozen, `rule-broken` when the score would leave the allowed range.
 */
export function decideReview(
  application: ApplicationState,
  student: StudentState,
  command: ReviewApplication,
  context: CommandContext,
  rules: ScoreRules = DEFAULT_SCORE_RULES,
): Decision<ReviewEvent> {
  const { applicationId, decision, comment } = command.data;
  assert(
    !application.exists || application.applicationId === applicationId,
    `application state of ${application.applicationId} passed for ${applicationId}`,
  );
  const refusal = checkReviewable(application, command, context);
  if (refusal) return refuse(refusal);
  const base = { applicationId, studentId: application.studentId, comment: comment.trim() };
  const actor = actorRef(context.actor);
  const at = isoTime(context.now);
  if (decision === 'reject') {
    return accept([domainEvent(APPLICATION_STREAM, applicationId, 'ApplicationRejected', { ...base, actor, at })]);
  }
  const change = approvedScoreChange(application, student, context, rules);
  if (!change.ok) return change;
  const approved = { ...base, delta: application.delta, newScore: change.event.data.newScore, actor, at };
  return accept([domainEvent(APPLICATION_STREAM, applicationId, 'ApplicationApproved', approved), change.event]);
}

/** Why the application cannot be reviewed by this actor with this input, or null. */
function checkReviewable(
  application: ApplicationState,
  command: ReviewApplication,
  context: CommandContext,
): DomainError | null {
  const { applicationId, decision, comment } = command.data;
  if (!hasRole(context.actor, ['admin']))
    return domainError('forbidden', `role ${context.actor.role} may not review applications`);
  const invalid = firstError(
    decision === 'approve' || decision === 'reject'
      ? null
      : domainError('invalid', 'decision must be approve or reject'),
    checkText('comment', comment, TEXT_LIMITS.comment, true),
  );
  if (invalid) return invalid;
  if (!application.exists) return domainError('not-found', `application ${applicationId} does not exist`);
  if (application.status !== 'pending')
    return domainError('conflict', `application ${applicationId} was already ${application.status}`);
  return null;
}

/** The student's ScoreModified an approval applies, decided by the student aggregate. */
function approvedScoreChange(
  application: ApplicationState,
  student: StudentState,
  context: CommandContext,
  rules: ScoreRules,
): { ok: true; event: ScoreModified } | { ok: false; error: DomainError } {
  const { applicationId, studentId, delta, reason, reasonCode } = application;
  const data = { studentId, delta, reason, source: 'application' as const, applicationId, ...(reasonCode === undefined ? {} : { reasonCode }) };
  const decision = decideStudent(student, { type: 'ModifyScore', data }, context, rules);
  if (!decision.ok) return decision;
  const [event] = decision.events;
  assert(
    decision.events.length === 1 && event.type === 'ScoreModified',
    'a score change decides exactly one ScoreModified',
  );
  return { ok: true, event };
}
