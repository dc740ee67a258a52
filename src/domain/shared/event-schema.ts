import { assert } from '../../shared/assert';

/** Turns the data of one schema version of an event type into the next version's (pure, total). */
export type Upcaster = (data: unknown) => unknown;

/**
 * What the log knows of one event type: the version it is written in today, how each older
 * version becomes the next, and how today's data is said in the previous version (null when it
 * cannot be: the data says something the previous release cannot read).
 *
 * @example { version: 2, upcasters: { 1: (data) => ({ ...data, reasonCode: null }) }, downcast: dropNullReasonCode }
 */
export interface EventSchema {
  readonly version: number;
  /** By the version each reads: `upcasters[n]` turns version n into version n + 1. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  /** Today's data in version `version - 1`, or null when it cannot be said there. */
  readonly downcast?: (data: unknown) => unknown;
}

/** Every event type the log holds, by type name: the one registry upcasting reads. */
export type EventSchemaRegistry = Readonly<Record<string, EventSchema>>;

/** The fields of an event upcasting reads and writes. */
export interface VersionedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/**
 * `event` in the current version of its type, through the registry's upcasters, one version at a
 * time; an event already current (or of a type the registry does not know, such as the
 * benchmark's `RecordAppended`) comes back as it is. A version the registry cannot read (newer
 * than the current one, or with a missing upcaster) is a broken invariant: the node runs older
 * code than the log it reads.
 *
 * @example upcastWith(registry, { type: 'ScoreModified', schemaVersion: 1, data }) // schemaVersion 2, data.reasonCode null
 */
export function upcastWith<E extends VersionedEvent>(registry: EventSchemaRegistry, event: E): E {
  const schema = Object.hasOwn(registry, event.type) ? registry[event.type] : undefined;
  if (schema === undefined || event.schemaVersion === schema.version) return event;
  assert(
    Number.isInteger(event.schemaVersion) && event.schemaVersion >= 1 && event.schemaVersion < schema.version,
    `${event.type} in schema version ${event.schemaVersion}: this release reads versions 1..${schema.version}`,
  );
  let data = event.data;
  for (let version = event.schemaVersion; version < schema.version; version += 1) {
    const upcaster = schema.upcasters?.[version];
    assert(upcaster !== undefined, `${event.type} has no upcaster from schema version ${version}`);
    data = upcaster(data);
  }
  return { ...event, schemaVersion: schema.version, data };
}
