import { unreachable } from '../../shared/assert';
import type { ReasonEvent } from './reason-events';
import type { ReasonState } from './reason-state';

/** Applies one reason event to the state (pure; events are facts, nothing is checked). */
export function evolveReason(state: ReasonState, event: ReasonEvent): ReasonState {
  switch (event.type) {
    case 'ReasonCreated':
    case 'ReasonUpdated': {
      const { code, labelZh, labelEn, defaultDelta, polarity, active } = event.data;
      return { exists: true, code, labelZh, labelEn, defaultDelta, polarity, active, version: state.version + 1 };
    }
    default:
      return unreachable(event, 'reason event');
  }
}
