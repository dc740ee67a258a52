import { upcastEvent } from '../domain';
import { assert } from '../shared/assert';
import type { LoggedEvent } from './logged-event';
import type { ReadModelTable } from './read-model-tables';
import type { RowChange } from './row-change';

/**
 * One read model: the stream types it consumes, the tables it writes, and its pure
 * event -> row changes function (no I/O, no clock).
 */
export interface Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];
  readonly streamTypes: readonly string[];
  /**
   * The school time zone its rows depend on (a projection of days, such as
   * `student_daily_scores`), passed in when it is made; absent when its rows depend on the log
   * alone. A checkpoint over it records the zone (see checkpoint-store's time zone).
   */
  readonly timeZone?: string;
  /** The row changes of one event of one of `streamTypes`. */
  project(event: LoggedEvent): readonly RowChange[];
}

/** Projections applied together under one checkpoint (named like the set). */
export interface ProjectionSet {
  readonly name: string;
  readonly projections: readonly Projection[];
}

/**
 * The school time zone `projections` count days in, or undefined when none of them depends on
 * one. Projections of one set share their zone.
 */
export function projectionsTimeZone(projections: readonly Projection[]): string | undefined {
  const zones = new Set(projections.flatMap((p) => (p.timeZone === undefined ? [] : [p.timeZone])));
  assert(zones.size <= 1, `projections count days in different time zones: ${[...zones].join(', ')}`);
  return zones.values().next().value;
}

/** A set's projections by the stream type they consume: the routing table of a batch. */
export type ProjectionRoutes = ReadonlyMap<string, readonly Projection[]>;

/** Routes every stream type to the projections that consume it. */
export function projectionRoutes(projections: readonly Projection[]): ProjectionRoutes {
  const routes = new Map<string, Projection[]>();
  for (const projection of projections) {
    for (const streamType of projection.streamTypes)
      routes.set(streamType, [...(routes.get(streamType) ?? []), projection]);
  }
  return routes;
}

/** Every table a set writes, each once. */
export function projectionTables(projections: readonly Projection[]): ReadModelTable[] {
  return [...new Set(projections.flatMap((p) => p.tables))];
}

/**
 * The row changes of one event, read through the upcasters (a no-op for an event `loggedEvent`
 * already upcast); none for a stream no projection consumes (e.g. `log`). An event in a schema
 * version no upcaster handles is a broken invariant.
 */
export function projectEvent(routes: ProjectionRoutes, logged: LoggedEvent): RowChange[] {
  const projections = routes.get(logged.streamType);
  if (projections === undefined) return [];
  const event = upcastEvent(logged);
  if (projections.length === 1) return projections[0].project(event) as RowChange[];
  const changes: RowChange[] = [];
  for (const projection of projections) changes.push(...projection.project(event));
  return changes;
}
