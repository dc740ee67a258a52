import type { ActorRef, DomainEvent } from '../shared';
import type { ScoreSource } from './student-commands';

/** The stream type of student events; the stream id is the studentId. */
export const STUDENT_STREAM = 'student';

/** An event of the student stream. */
type StudentEventOf<Type extends string, Data> = DomainEvent<Type, Data, typeof STUDENT_STREAM>;

/** A student was registered with their starting score. */
export type StudentRegistered = StudentEventOf<
  'StudentRegistered',
  {
    readonly studentId: string;
    readonly name: string;
    readonly className: string;
    readonly initialScore: number;
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/** A student's name was corrected. */
export type StudentDetailsCorrected = StudentEventOf<
  'StudentDetailsCorrected',
  {
    readonly studentId: string;
    readonly name: string;
    readonly previousName: string;
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/** A student moved to another class. */
export type StudentMovedToClass = StudentEventOf<
  'StudentMovedToClass',
  {
    readonly studentId: string;
    readonly fromClassName: string;
    readonly toClassName: string;
    readonly actor: ActorRef;
    readonly at: string;
  }
>;

/**
 * A student's score changed; carries the new score so projections need not recompute it.
 * Schema version 2 added `reasonCode` (version 1 events read as null).
 */
export type ScoreModified = StudentEventOf<
  'ScoreModified',
  {
    readonly studentId: string;
    readonly delta: number;
    readonly reason: string;
    /** The catalogue reason named, or null (version 1 events had none: upcast to null). */
    readonly reasonCode: string | null;
    readonly source: ScoreSource;
    readonly actor: ActorRef;
    readonly previousScore: number;
    readonly newScore: number;
    readonly sagaId?: string;
    readonly applicationId?: string;
    readonly at: string;
  }
>;

/** A student's score was frozen. */
export type StudentFrozen = StudentEventOf<
  'StudentFrozen',
  { readonly studentId: string; readonly actor: ActorRef; readonly sagaId?: string; readonly at: string }
>;

/** A student's score freeze was lifted. */
export type StudentUnfrozen = StudentEventOf<
  'StudentUnfrozen',
  { readonly studentId: string; readonly actor: ActorRef; readonly sagaId?: string; readonly at: string }
>;

/** A student was archived with their final score. */
export type StudentArchived = StudentEventOf<
  'StudentArchived',
  { readonly studentId: string; readonly finalScore: number; readonly actor: ActorRef; readonly at: string }
>;

/** Every event of the student stream. */
export type StudentEvent =
  | StudentRegistered
  | StudentDetailsCorrected
  | StudentMovedToClass
  | ScoreModified
  | StudentFrozen
  | StudentUnfrozen
  | StudentArchived;
