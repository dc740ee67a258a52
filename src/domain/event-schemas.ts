import type { ApplicationEvent } from './application/application-events';
import type { ReasonEvent } from './reason/reason-events';
import { type EventSchema, type EventSchemaRegistry, type VersionedEvent, upcastWith } from './shared/event-schema';
import { withNullReasonCode, withoutNullReasonCode } from './shared/reason-code-upcasters';
import type { StudentEvent } from './student/student-events';
import type { UserEvent } from './user/user-events';

const V1: EventSchema = { version: 1 };
/**
 * Version 1 of a type this release adds: the previous release has no way to read it (it stops on
 * an event type it does not know), so while WRITE_PREVIOUS_EVENT_SCHEMAS is set it is not written
 * (the write is refused) until every node runs this release. A later release, whose previous
 * release knows the type, registers it as V1.
 */
const NEW_TYPE_V1: EventSchema = { version: 1, downcast: () => null };
const REASON_CODE_V2: EventSchema = { version: 2, upcasters: { 1: withNullReasonCode }, downcast: withoutNullReasonCode };

/**
 * Every event type of the log with its current schema version and the upcasters from each older
 * one: what aggregates, projections, the event feed and the rebuild read events through. Raising
 * a version means adding the upcaster from the previous one (and a downcast, so a cluster in the
 * middle of a rolling upgrade can still write what the previous release reads).
 */
export const EVENT_SCHEMAS = {
  StudentRegistered: V1,
  StudentDetailsCorrected: V1,
  StudentMovedToClass: V1,
  ScoreModified: REASON_CODE_V2,
  StudentFrozen: V1,
  StudentUnfrozen: V1,
  StudentArchived: V1,
  ApplicationSubmitted: REASON_CODE_V2,
  ApplicationApproved: V1,
  ApplicationRejected: V1,
  UserCreated: V1,
  UserRoleChanged: V1,
  UserDisabled: V1,
  UserEnabled: V1,
  UserPasswordReset: V1,
  UserRenamed: V1,
  UserClassesAssigned: V1,
  UserSessionEnded: NEW_TYPE_V1,
  ReasonCreated: V1,
  ReasonUpdated: V1,
  // The saga and archive streams (src/sagas/saga-events.ts checks that every one is here).
  SagaStarted: V1,
  StepSucceeded: V1,
  StepFailed: V1,
  StepStarted: V1,
  StepTimedOut: V1,
  StepCompensated: V1,
  CompensationFailed: V1,
  SagaRetried: V1,
  SagaCompleted: V1,
  SagaCompensated: V1,
  ArchiveSnapshotTaken: V1,
  ArchiveCompleted: V1,
  ArchiveDiscarded: V1,
} as const satisfies Record<StudentEvent['type'] | ApplicationEvent['type'] | UserEvent['type'] | ReasonEvent['type'], EventSchema> & EventSchemaRegistry;

/** The version events of `type` are written in today (1 for a type the registry does not know). */
export function currentSchemaVersion(type: string): number {
  return Object.hasOwn(EVENT_SCHEMAS, type) ? (EVENT_SCHEMAS as EventSchemaRegistry)[type].version : 1;
}

/**
 * The one way events are read from the log: `event` in the current version of its type. A
 * version newer than this release knows is a broken invariant (see `upcastWith`).
 *
 * @example upcastEvent({ type: 'ScoreModified', schemaVersion: 1, data }).data.reasonCode // null
 */
export function upcastEvent<E extends VersionedEvent>(event: E): E {
  return upcastWith(EVENT_SCHEMAS, event);
}

/**
 * `event` written in the version the previous release reads (unchanged when its type's version
 * did not move), or null when its data cannot be said there. For a cluster in the middle of a
 * rolling upgrade.
 *
 * @example previousVersionOf(scoreModifiedV2WithNullReasonCode) // schemaVersion 1, no reasonCode
 */
export function previousVersionOf<E extends VersionedEvent>(event: E): E | null {
  const schema: EventSchema | undefined = Object.hasOwn(EVENT_SCHEMAS, event.type) ? (EVENT_SCHEMAS as EventSchemaRegistry)[event.type] : undefined;
  if (schema?.downcast === undefined || event.schemaVersion !== schema.version) return event;
  const data = schema.downcast(event.data);
  return data === null ? null : { ...event, schemaVersion: schema.version - 1, data };
}
