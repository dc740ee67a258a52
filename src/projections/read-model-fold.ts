import type { LoggedEvent } from './logged-event';
import { type Projection, projectEvent, projectionRoutes } from './projection';
import { READ_MODEL_PROJECTIONS } from './read-models';
import { type ReadModelState, applyRowChange, emptyReadModelState } from './row-change';

/**
 * The fold of the log into read-model tables, one event and one change at a time, in memory
 * (pure apart from mutating `state`, which defaults to empty tables). Every read model must
 * equal this fold of the log up to its checkpoint.
 *
 * @example expect(await dumpReadModels(db)).toEqual(foldReadModels(eventsUpTo(checkpoint)))
 */
export function foldReadModels(
  events: Iterable<LoggedEvent>,
  projections: readonly Projection[] = READ_MODEL_PROJECTIONS,
  state: ReadModelState = emptyReadModelState(),
): ReadModelState {
  const routes = projectionRoutes(projections);
  for (const event of events) {
    for (const change of projectEvent(routes, event)) applyRowChange(state, change);
  }
  return state;
}
