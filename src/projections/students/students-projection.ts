import { STUDENT_STREAM, type StudentEvent } from '../../domain';
import { unreachable } from '../../shared/assert';
import { type Logged, type LoggedEvent, eventTime } from '../logged-event';
import type { Projection } from '../projection';
import type { RowFields } from '../read-model-tables';
import { type RowChange, rowChange } from '../row-change';

/**
 * The `students` row change of one student event (pure): the fields the event changes, plus
 * `updated_at` and `position`, which every student event moves.
 *
 * @example studentChange(scoreModifiedAt42) // { table: 'students', key: 's-1', set: { score: 105, updated_at, position: 42 } }
 */
export function studentChange(event: Logged<StudentEvent>): RowChange<'students'> {
  const set = studentFields(event); // a fresh object: add what every student event moves
  set.updated_at = eventTime(event.data.at);
  set.position = event.position;
  return rowChange('students', event.streamId, set);
}

/** The columns one event sets, in a new object. */
function studentFields(event: StudentEvent): { -readonly [C in keyof RowFields<'students'>]?: RowFields<'students'>[C] } {
  switch (event.type) {
    case 'StudentRegistered': {
      const { name, className, initialScore } = event.data;
      return {
        name,
        class_name: className,
        score: initialScore,
        initial_score: initialScore,
        frozen: false,
        archived: false,
      };
    }
    case 'StudentDetailsCorrected':
      return { name: event.data.name };
    case 'StudentMovedToClass':
      return { class_name: event.data.toClassName };
    case 'ScoreModified':
      return { score: event.data.newScore };
    case 'StudentFrozen':
      return { frozen: true };
    case 'StudentUnfrozen':
      return { frozen: false };
    case 'StudentArchived':
      return { archived: true };
    default:
      return unreachable(event, 'student event');
  }
}

/** `students`: each student's current details, score and flags. */
export const STUDENTS_PROJECTION: Projection = {
  name: 'students',
  tables: ['students'],
  streamTypes: [STUDENT_STREAM],
  project: (event: LoggedEvent) => [studentChange(event as Logged<StudentEvent>)],
};
