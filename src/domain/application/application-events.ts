import type { ActorRef, DomainEvent } from '../shared';

/** The stream type of application events; the stream id is the applicationId. */
export const APPLICATION_STREAM = 'application';

/** An event of the application stream. */
type ApplicationEventOf<Type extends string, Data> = DomainEvent<Type, Data, typeof APPLICATION_STREAM>;

/**
 * A score-change application was submitted and is pending review. Schema version 2 added
 * `reasonCode` (version 1 events read as null).
 */
export type ApplicationSubmitted = ApplicationEventOf<
  'ApplicationSubmitted',
  {
    readonly applicationId: string;
    readonly studentId: string;
    readonly delta: number;
    readonly reason: string;
    /** The catalogue reason named, or null (version 1 events had none: upcast to null). */
    readonly reasonCode: string | null;
    /** The submitter: teachers and clubs see the applications they submitted. */
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/** An application was approved; the student's ScoreModified is in the same log entry. */
export type ApplicationApproved = ApplicationEventOf<
  'ApplicationApproved',
  {
    readonly applicationId: string;
    readonly studentId: string;
    readonly delta: number;
    readonly comment: string;
    /** The student's score after the change this approval applied. */
    readonly newScore: number;
    /** The reviewer. */
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/** An application was rejected; no score changed. */
export type ApplicationRejected = ApplicationEventOf<
  'ApplicationRejected',
  {
    readonly applicationId: string;
    readonly studentId: string;
    readonly comment: string;
    /** The reviewer. */
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/** Every event of the application stream. */
export type ApplicationEvent = ApplicationSubmitted | ApplicationApproved | ApplicationRejected;
