import { STUDENT_STREAM, type StudentEvent } from '../../domain';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDays } from '../../shared/school-days';
import { type Logged, type LoggedEvent, eventTime } from '../logged-event';
import type { Projection } from '../projection';
import { type RowChange, rowChange } from '../row-change';

/**
 * The school day (`YYYY-MM-DD`) of an event time in `timeZone` (an IANA zone, default UTC): its
 * local date there, DST included.
 *
 * @example dayOf('2025-03-01T23:30:00.000Z', 'Asia/Shanghai') // '2025-03-02'
 */
export function dayOf(at: string, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): string {
  return schoolDays(timeZone).dayOf(Date.parse(eventTime(at)));
}

/**
 * The `student_daily_scores` row of a registration or a score change (pure): the score the
 * student has after it, for its school day in `timeZone`. The last change of a day wins, so the
 * row holds the score at the end of that day; days without a change have no row (the score
 * carried over).
 *
 * @example dailyScoreChange(scoreModified, 'UTC') // { key: 's-1/2025-03-01', set: { score: 105, … } }
 */
export function dailyScoreChange(event: Logged<StudentEvent>, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): RowChange<'student_daily_scores'> | null {
  let score: number;
  let at: string;
  if (event.type === 'ScoreModified') ({ newScore: score, at } = event.data);
  else if (event.type === 'StudentRegistered') ({ initialScore: score, at } = event.data);
  else return null;
  const day = dayOf(at, timeZone);
  return rowChange('student_daily_scores', `${event.streamId}/${day}`, { student_id: event.streamId, day, score, position: event.position });
}

/**
 * `student_daily_scores` with days counted in `timeZone` (SCHOOL_TIME_ZONE): each student's score
 * at the end of each day it changed (the charts). The zone is part of the projection, never read
 * from the environment here, so a replay gives the same rows wherever it runs.
 */
export function studentDailyScoresProjection(timeZone: string): Projection {
  schoolDays(timeZone); // refuses an unknown zone here rather than at the first event
  return {
    name: 'student_daily_scores',
    tables: ['student_daily_scores'],
    streamTypes: [STUDENT_STREAM],
    timeZone,
    project: (event: LoggedEvent) => {
      const change = dailyScoreChange(event as Logged<StudentEvent>, timeZone);
      return change === null ? [] : [change];
    },
  };
}
