import { STUDENT_STREAM, type StudentEvent } from '../../domain';
import { type Logged, type LoggedEvent, eventTime } from '../logged-event';
import type { Projection } from '../projection';
import { type RowChange, rowChange } from '../row-change';

/** The UTC day (`YYYY-MM-DD`) of an event time. */
export function dayOf(at: string): string {
  return eventTime(at).slice(0, 10);
}

/**
 * The `student_daily_scores` row of a registration or a score change (pure): the score the
 * student has after it, for its day. The last change of a day wins, so the row holds the score at
 * the end of that day; days without a change have no row (the score carried over).
 *
 * @example dailyScoreChange(scoreModified) // { key: 's-1/2025-03-01', set: { score: 105, … } }
 */
export function dailyScoreChange(event: Logged<StudentEvent>): RowChange<'student_daily_scores'> | null {
  let score: number;
  let at: string;
  if (event.type === 'ScoreModified') ({ newScore: score, at } = event.data);
  else if (event.type === 'StudentRegistered') ({ initialScore: score, at } = event.data);
  else return null;
  const day = dayOf(at);
  return rowChange('student_daily_scores', `${event.streamId}/${day}`, { student_id: event.streamId, day, score, position: event.position });
}

/** `student_daily_scores`: each student's score at the end of each day it changed (the charts). */
export const STUDENT_DAILY_SCORES_PROJECTION: Projection = {
  name: 'student_daily_scores',
  tables: ['student_daily_scores'],
  streamTypes: [STUDENT_STREAM],
  project: (event: LoggedEvent) => {
    const change = dailyScoreChange(event as Logged<StudentEvent>);
    return change === null ? [] : [change];
  },
};
