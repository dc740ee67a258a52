import { STUDENT_STREAM, type StudentEvent } from '../../domain';
import { type Logged, type LoggedEvent, eventTime } from '../logged-event';
import type { Projection } from '../projection';
import { type RowChange, rowChange } from '../row-change';

/**
 * The `score_records` row of a ScoreModified, keyed by its log position (pure); null for every
 * other student event.
 */
export function scoreRecordChange(event: Logged<StudentEvent>): RowChange<'score_records'> | null {
  if (event.type !== 'ScoreModified') return null;
  const { delta, reason, reasonCode, actor, source, newScore, sagaId, applicationId, at } = event.data;
  return rowChange('score_records', event.position, {
    student_id: event.streamId,
    delta,
    reason,
    actor: actor.username,
    actor_role: actor.role,
    source,
    new_score: newScore,
    saga_id: sagaId ?? null,
    application_id: applicationId ?? null,
    at: eventTime(at),
    reason_code: reasonCode ?? null,
  });
}

/** `score_records`: every score change of every student, with delta, reason, actor and source. */
export const SCORE_RECORDS_PROJECTION: Projection = {
  name: 'score_records',
  tables: ['score_records'],
  streamTypes: [STUDENT_STREAM],
  project: (event: LoggedEvent) => {
    const change = scoreRecordChange(event as Logged<StudentEvent>);
    return change === null ? [] : [change];
  },
};
