import type { ReasonFields } from './reason-commands';

/** A catalogue entry as decisions see it: the fold of its stream. */
export interface ReasonState extends ReasonFields {
  readonly exists: boolean;
  /** '' until created. */
  readonly code: string;
  /** How many events the stream holds: the expected version of the next append. */
  readonly version: number;
}

/** The state of a reason stream with no events. */
export const initialReasonState: ReasonState = Object.freeze({
  exists: false,
  code: '',
  labelZh: '',
  labelEn: '',
  defaultDelta: 0,
  polarity: 'positive',
  active: false,
  version: 0,
});
