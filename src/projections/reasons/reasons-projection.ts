import { REASON_STREAM, type ReasonEvent } from '../../domain';
import { type Logged, type LoggedEvent, eventTime } from '../logged-event';
import type { Projection } from '../projection';
import { type RowChange, rowChange } from '../row-change';

/**
 * The `reasons` row of one reason event (pure): both events carry every field as it now is.
 *
 * @example reasonChange(reasonCreatedAt42) // { table: 'reasons', key: 'helped', set: { label_zh: '助人为乐', …, position: 42 } }
 */
export function reasonChange(event: Logged<ReasonEvent>): RowChange<'reasons'> {
  const { labelZh, labelEn, defaultDelta, polarity, active, at } = event.data;
  return rowChange('reasons', event.streamId, {
    label_zh: labelZh,
    label_en: labelEn,
    default_delta: defaultDelta,
    polarity,
    active,
    updated_at: eventTime(at),
    position: event.position,
  });
}

/** `reasons`: the school's catalogue of reasons. */
export const REASONS_PROJECTION: Projection = {
  name: 'reasons',
  tables: ['reasons'],
  streamTypes: [REASON_STREAM],
  project: (event: LoggedEvent) => [reasonChange(event as Logged<ReasonEvent>)],
};
