import type { ActorRef, DomainErrorCode, DomainEvent, EVENT_SCHEMAS, EventSchema } from '../domain';

/** The stream type of saga state: one stream per saga, its id the sagaId. */
export const SAGA_STREAM = 'saga';
/** The stream type of archives: one stream per archive, its id the archive's sagaId. */
export const ARCHIVE_STREAM = 'archive';

/** One change of a batch adjustment. */
export interface StudentDelta {
  readonly studentId: string;
  readonly delta: number;
}

/** What a batch adjustment saga was started with. */
export interface BatchInput {
  readonly kind: 'batch';
  readonly reason: string;
  readonly changes: readonly StudentDelta[];
  /** Students per chunk (one log entry each), decided at start so every replay cuts the same chunks. */
  readonly chunkSize: number;
}

/** What a semester archive saga was started with. */
export interface ArchiveInput {
  readonly kind: 'archive';
  readonly semester: string;
  /** The class archived, or null for every class. */
  readonly className: string | null;
  /** The active students of the class(es) when the saga started, sorted. */
  readonly studentIds: readonly string[];
  readonly chunkSize: number;
  /** How long the student-records service has to store the archive. */
  readonly storeTimeoutMs: number;
}

/** The input of any saga. */
export type SagaInput = BatchInput | ArchiveInput;

/** Why a student (or an external step) could not take a step. */
export interface StepReason {
  readonly studentId?: string;
  readonly code: DomainErrorCode | 'timeout' | 'external';
  readonly message: string;
}

/** A student as the archive snapshots them. */
export interface ArchivedStudent {
  readonly studentId: string;
  readonly name: string;
  readonly className: string;
  readonly score: number;
}

type SagaEventOf<Type extends string, Data> = DomainEvent<Type, Data & { readonly sagaId: string; readonly at: string }, typeof SAGA_STREAM>;

/** A saga was started. */
export type SagaStarted = SagaEventOf<'SagaStarted', { readonly input: SagaInput; readonly actor: ActorRef }>;
/** A forward step applied; `applied` lists the score changes it made (what a compensation reverses). */
export type StepSucceeded = SagaEventOf<'StepSucceeded', { readonly step: string; readonly applied?: readonly StudentDelta[] }>;
/** A forward step could not apply: the saga compensates. */
export type StepFailed = SagaEventOf<'StepFailed', { readonly step: string; readonly reasons: readonly StepReason[] }>;
/** A step that leaves the cluster was started; it must answer before `deadline`. */
export type StepStarted = SagaEventOf<'StepStarted', { readonly step: string; readonly deadline: string }>;
/** A step that leaves the cluster did not answer before its deadline: the saga compensates. */
export type StepTimedOut = SagaEventOf<'StepTimedOut', { readonly step: string }>;
/** A step's compensation applied. */
export type StepCompensated = SagaEventOf<'StepCompensated', { readonly step: string }>;
/** A step's compensation could not apply: the saga waits for an operator. */
export type CompensationFailed = SagaEventOf<'CompensationFailed', { readonly step: string; readonly reasons: readonly StepReason[] }>;
/** An admin asked to retry a saga waiting for an operator. */
export type SagaRetried = SagaEventOf<'SagaRetried', { readonly actor: ActorRef }>;
/** Every forward step applied. */
export type SagaCompleted = SagaEventOf<'SagaCompleted', Record<never, never>>;
/** Every applied step was compensated. */
export type SagaCompensated = SagaEventOf<'SagaCompensated', Record<never, never>>;

/** Every event of the saga stream. */
export type SagaEvent =
  | SagaStarted
  | StepSucceeded
  | StepFailed
  | StepStarted
  | StepTimedOut
  | StepCompensated
  | CompensationFailed
  | SagaRetried
  | SagaCompleted
  | SagaCompensated;

type ArchiveEventOf<Type extends string, Data> = DomainEvent<
  Type,
  Data & { readonly archiveId: string; readonly sagaId: string; readonly semester: string; readonly className: string | null; readonly at: string },
  typeof ARCHIVE_STREAM
>;

/** Scores of frozen students were snapshotted into the archive (one chunk). */
export type ArchiveSnapshotTaken = ArchiveEventOf<'ArchiveSnapshotTaken', { readonly students: readonly ArchivedStudent[] }>;
/** The archive is complete: the records service holds it and scores were reset. */
export type ArchiveCompleted = ArchiveEventOf<'ArchiveCompleted', { readonly studentCount: number }>;
/** The archive's snapshot was discarded (its saga compensated). */
export type ArchiveDiscarded = ArchiveEventOf<'ArchiveDiscarded', Record<never, never>>;

/** Every event of the archive stream. */
export type ArchiveEvent = ArchiveSnapshotTaken | ArchiveCompleted | ArchiveDiscarded;

/** Fails to compile while a saga or archive event type is missing from the registry of event schemas. */
export type SagaEventsRegistered = typeof EVENT_SCHEMAS extends Record<SagaEvent['type'] | ArchiveEvent['type'], EventSchema> ? true : never;
const sagaEventsRegistered: SagaEventsRegistered = true;
void sagaEventsRegistered;
