import { APPLICATION_STREAM, type ApplicationEvent } from '../../domain';
import { unreachable } from '../../shared/assert';
import { type Logged, type LoggedEvent, eventTime } from '../logged-event';
import type { Projection } from '../projection';
import { type RowChange, rowChange } from '../row-change';

/**
 * The `applications` row change of one application event (pure): a submission sets the whole
 * row (pending); a review sets the status, reviewer, comment and review time.
 */
export function applicationChange(event: Logged<ApplicationEvent>): RowChange<'applications'> {
  const key = event.streamId;
  const { position } = event;
  switch (event.type) {
    case 'ApplicationSubmitted': {
      const { studentId, delta, reason, reasonCode, actor, at } = event.data;
      return rowChange('applications', key, {
        student_id: studentId,
        delta,
        reason,
        submitted_by: actor.username,
        status: 'pending',
        reviewer: null,
        comment: null,
        submitted_at: eventTime(at),
        reviewed_at: null,
        submitted_position: position,
        position,
        reason_code: reasonCode ?? null,
      });
    }
    case 'ApplicationApproved':
    case 'ApplicationRejected': {
      const { actor, comment, at } = event.data;
      const status = event.type === 'ApplicationApproved' ? 'approved' : 'rejected';
      return rowChange('applications', key, {
        status,
        reviewer: actor.username,
        comment,
        reviewed_at: eventTime(at),
        position,
      });
    }
    default:
      return unreachable(event, 'application event');
  }
}

/** `applications`: score-change applications, pending or reviewed. */
export const APPLICATIONS_PROJECTION: Projection = {
  name: 'applications',
  tables: ['applications'],
  streamTypes: [APPLICATION_STREAM],
  project: (event: LoggedEvent) => [applicationChange(event as Logged<ApplicationEvent>)],
};
