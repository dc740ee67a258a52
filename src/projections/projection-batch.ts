import { EventLogGapError } from './projection-errors';
import { type EventLogRow, loggedEvent } from './logged-event';
import { type ProjectionRoutes, projectEvent } from './projection';
import { RowChangeBatch } from './row-change';

/** What a batch of log rows does to the read models: merged row changes and the checkpoint after it. */
export interface PlannedProjectionBatch {
  readonly changes: RowChangeBatch;
  /** The position the checkpoint moves to (the last event of the batch). */
  readonly last: number;
  /** Events the batch covers, those of skipped streams included. */
  readonly events: number;
}

/**
 * Folds log rows that follow position `after` into one RowChangeBatch (pure). Events of streams
 * no projection consumes are skipped but still covered. Rows must follow `after` without a gap:
 * the batch stops before a gap (a row not yet visible), and a gap right after `after` throws.
 *
 * @throws EventLogGapError when the first row is not at `after + 1`.
 */
export function planProjectionBatch(
  rows: readonly EventLogRow[],
  after: number,
  routes: ProjectionRoutes,
): PlannedProjectionBatch {
  const changes = new RowChangeBatch();
  let last = after;
  for (const row of rows) {
    const position = Number(row.position);
    if (position !== last + 1) {
      if (last === after) throw new EventLogGapError(after + 1, position);
      break;
    }
    last = position;
    if (!routes.has(row.stream_type)) continue;
    for (const change of projectEvent(routes, loggedEvent(row))) changes.add(change);
  }
  return { changes, last, events: last - after };
}
