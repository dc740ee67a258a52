import { unreachable } from '../../shared/assert';
import type { StudentEvent } from './student-events';
import type { StudentState } from './student-state';

/**
 * Applies one student event to the state (pure). Events are facts, so nothing is checked here:
 * every rule was decided before the event was written.
 */
export function evolveStudent(state: StudentState, event: StudentEvent): StudentState {
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'StudentRegistered': {
      const { studentId, name, className, initialScore } = event.data;
      return { ...next, exists: true, studentId, name, className, score: initialScore, initialScore };
    }
    case 'StudentDetailsCorrected':
      return { ...next, name: event.data.name };
    case 'StudentMovedToClass':
      return { ...next, className: event.data.toClassName };
    case 'ScoreModified':
      return { ...next, score: event.data.newScore };
    case 'StudentFrozen':
      return { ...next, frozen: true };
    case 'StudentUnfrozen':
      return { ...next, frozen: false };
    case 'StudentArchived':
      return { ...next, archived: true };
    default:
      return unreachable(event, 'student event');
  }
}
