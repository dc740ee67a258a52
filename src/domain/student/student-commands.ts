import type { Command } from '../shared';

/** Why a score changed; score records show it. */
export type ScoreSource = 'direct' | 'application' | 'batch' | 'compensation' | 'archive-reset';

/** Every score source, in a fixed order. */
export const SCORE_SOURCES: readonly ScoreSource[] = [
  'direct',
  'application',
  'batch',
  'compensation',
  'archive-reset',
];

/** Registers a new student; the score starts at `initialScore` (default DEFAULT_INITIAL_SCORE). */
export type RegisterStudent = Command<
  'RegisterStudent',
  { readonly studentId: string; readonly name: string; readonly className: string; readonly initialScore?: number }
>;

/** Corrects a student's name and/or moves them to another class. At least one field is given. */
export type CorrectStudentDetails = Command<
  'CorrectStudentDetails',
  { readonly studentId: string; readonly name?: string; readonly className?: string }
>;

/**
 * Changes a student's score by `delta`. `application` needs the applicationId; the saga sources
 * (`batch`, `compensation`, `archive-reset`) need the sagaId.
 */
export type ModifyScore = Command<
  'ModifyScore',
  {
    readonly studentId: string;
    readonly delta: number;
    readonly reason: string;
    readonly source: ScoreSource;
    readonly sagaId?: string;
    readonly applicationId?: string;
    /** The catalogue reason this change names (checked against the catalogue before deciding). */
    readonly reasonCode?: string;
  }
>;

/** Freezes a student's score (the semester archive does, while it snapshots and resets). */
export type FreezeStudent = Command<'FreezeStudent', { readonly studentId: string; readonly sagaId?: string }>;

/** Lifts a freeze. */
export type UnfreezeStudent = Command<'UnfreezeStudent', { readonly studentId: string; readonly sagaId?: string }>;

/** Archives a student for good (they left): nothing changes them afterwards. */
export type ArchiveStudent = Command<'ArchiveStudent', { readonly studentId: string }>;

/** Every command the student aggregate decides. */
export type StudentCommand =
  | RegisterStudent
  | CorrectStudentDetails
  | ModifyScore
  | FreezeStudent
  | UnfreezeStudent
  | ArchiveStudent;
