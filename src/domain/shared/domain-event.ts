import { currentSchemaVersion } from '../event-schemas';

/**
 * A fact one aggregate decided, as a command record carries it into the log (it gets its position,
 * stream version and metadata when applied). Events are facts: the log never stores commands.
 *
 * @example
 * type StudentFrozen = DomainEvent<'StudentFrozen', { studentId: string }, 'student'>;
 */
export interface DomainEvent<Type extends string = string, Data = unknown, StreamType extends string = string> {
  readonly type: Type;
  /** The version of the type's data; the log is read through upcasters (`upcastEvent`). */
  readonly schemaVersion: number;
  readonly streamType: StreamType;
  readonly streamId: string;
  readonly data: Data;
}

/**
 * Builds an event in the current schema version of its type (EVENT_SCHEMAS).
 *
 * @example domainEvent('student', 's-1', 'StudentFrozen', { studentId: 's-1' })
 */
export function domainEvent<StreamType extends string, Type extends string, Data>(
  streamType: StreamType,
  streamId: string,
  type: Type,
  data: Data,
): DomainEvent<Type, Data, StreamType> {
  return { type, schemaVersion: currentSchemaVersion(type), streamType, streamId, data };
}
