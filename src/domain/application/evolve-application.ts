import { unreachable } from '../../shared/assert';
import type { ApplicationEvent } from './application-events';
import type { ApplicationState } from './application-state';

/** Applies one application event to the state (pure; events are facts, nothing is checked). */
export function evolveApplication(state: ApplicationState, event: ApplicationEvent): ApplicationState {
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'ApplicationSubmitted': {
      const { applicationId, studentId, delta, reason, reasonCode, actor } = event.data;
      return {
        ...next,
        exists: true,
        applicationId,
        studentId,
        delta,
        reason,
        ...(reasonCode == null ? {} : { reasonCode }),
        submittedBy: actor.username,
        status: 'pending',
      };
    }
    case 'ApplicationApproved':
      return { ...next, status: 'approved' };
    case 'ApplicationRejected':
      return { ...next, status: 'rejected' };
    default:
      return unreachable(event, 'application event');
  }
}
