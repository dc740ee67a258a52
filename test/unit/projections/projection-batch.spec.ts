import { domainEvent } from '../../../src/domain';
import {
  EventLogGapError,
  type EventLogRow,
  READ_MODEL_PROJECTIONS,
  planProjectionBatch,
  projectionRoutes,
} from '../../../src/projections';
import { scoreModified, studentRegistered } from '../../domain/fixtures';

const routes = projectionRoutes(READ_MODEL_PROJECTIONS);
const row = (
  position: number,
  event: { streamType: string; streamId: string; type: string; data: unknown },
): EventLogRow => ({
  position,
  stream_type: event.streamType,
  stream_id: event.streamId,
  type: event.type,
  schema_version: 1,
  data: JSON.stringify(event.data),
});
const logEvent = domainEvent('log', 's-1', 'RecordAppended', { id: 'x' });

describe('planProjectionBatch', () => {
  it('given student events and log events, then one merged row per student, one record per change, and the log events covered', () => {
    const rows = [
      row(11, studentRegistered(100)),
      row(12, logEvent),
      row(13, scoreModified(5, 100)),
      row(14, scoreModified(-3, 105)),
    ];
    const batch = planProjectionBatch(rows, 10, routes);
    expect(batch).toMatchObject({ last: 14, events: 4 });
    const groups = batch.changes.groups();
    expect(groups.map((g) => [g.table, g.rows.length])).toEqual([
      ['students', 1],
      ['score_records', 2],
      // One day's end-of-day score: the day's last change wins.
      ['student_daily_scores', 1],
    ]);
    expect(groups[0].rows[0]).toMatchObject({ key: 's-1', set: { score: 102, initial_score: 100, position: 14 } });
  });

  it('given only log events, then no row changes but the checkpoint still moves past them', () => {
    const batch = planProjectionBatch([row(1, logEvent), row(2, logEvent)], 0, routes);
    expect([batch.last, batch.events, batch.changes.size]).toEqual([2, 2, 0]);
  });

  it('stops before a gap, and refuses a batch that does not start right after the checkpoint', () => {
    const batch = planProjectionBatch([row(1, logEvent), row(2, logEvent), row(4, logEvent)], 0, routes);
    expect(batch.last).toBe(2);
    expect(() => planProjectionBatch([row(4, logEvent)], 2, routes)).toThrow(EventLogGapError);
  });
});
