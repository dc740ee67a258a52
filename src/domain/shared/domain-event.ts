/** The schema version every event of this domain is written with today; upcasters will key on it. */
export const SCHEMA_VERSION = 1;

/**
 * A fact one aggregate decided, as a command record carries it into the log (it gets its position,
 * stream version and metadata when applied). Events are facts: the log never stores commands.
 *
 * @example
 * type StudentFrozen = DomainEvent<'StudentFrozen', { studentId: string }, 'student'>;
 */
export interface DomainEvent<Type extends string = string, Data = unknown, StreamType extends string = string> {
  readonly type: Type;
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly streamType: StreamType;
  readonly streamId: string;
  readonly data: Data;
}

/**
 * Builds an event of the current schema version.
 *
 * @example domainEvent('student', 's-1', 'StudentFrozen', { studentId: 's-1' })
 */
export function domainEvent<StreamType extends string, Type extends string, Data>(
  streamType: StreamType,
  streamId: string,
  type: Type,
  data: Data,
): DomainEvent<Type, Data, StreamType> {
  return { type, schemaVersion: SCHEMA_VERSION, streamType, streamId, data };
}
