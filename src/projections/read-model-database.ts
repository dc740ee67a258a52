import type { ColumnType, Kysely } from 'kysely';
import type { EventRow } from '../infra/mysql/command-record';

/** A DATETIME(3) column: written as `YYYY-MM-DD HH:MM:SS.mmm` (UTC), read as a Date by a UTC pool. */
type DatetimeColumn = ColumnType<Date, string, string>;
/** A nullable DATETIME(3) column. */
type NullableDatetimeColumn = ColumnType<Date | null, string | null, string | null>;
/** A BOOLEAN (TINYINT(1)) column: 0 or 1 when read. */
type BooleanColumn = ColumnType<number, boolean, boolean>;

/** `students`: one row per student, the fold of their stream. */
export interface StudentsTable {
  student_id: string;
  name: string;
  class_name: string;
  score: number;
  initial_score: number;
  frozen: BooleanColumn;
  archived: BooleanColumn;
  updated_at: DatetimeColumn;
  /** The position of the last event that changed the row. */
  position: number;
}

/** `score_records`: one row per ScoreModified, keyed by its log position. */
export interface ScoreRecordsTable {
  position: number;
  student_id: string;
  delta: number;
  reason: string;
  /** The acting username. */
  actor: string;
  actor_role: string;
  source: string;
  new_score: number;
  saga_id: string | null;
  application_id: string | null;
  at: DatetimeColumn;
  reason_code: string | null;
}

/** `applications`: one row per score-change application. */
export interface ApplicationsTable {
  application_id: string;
  student_id: string;
  delta: number;
  reason: string;
  submitted_by: string;
  status: string;
  reviewer: string | null;
  comment: string | null;
  submitted_at: NullableDatetimeColumn;
  reviewed_at: NullableDatetimeColumn;
  /** The position of ApplicationSubmitted: lists show the newest submissions first. */
  submitted_position: number;
  position: number;
  reason_code: string | null;
}

/** `users`: accounts without any secret (no password hash). */
export interface UsersTable {
  username: string;
  role: string;
  display_name: string;
  student_id: string | null;
  disabled: BooleanColumn;
  position: number;
  /** A JSON list of the class names a teacher or club looks after (migration 0011). */
  classes: string;
}

/** `archives`: one row per semester archive (migration 0006). */
export interface ArchivesTable {
  archive_id: string;
  semester: string;
  class_name: string | null;
  status: string;
  student_count: number;
  updated_at: DatetimeColumn;
  position: number;
}

/** `archive_students`: each student's snapshot in an archive (migration 0006). */
export interface ArchiveStudentsTable {
  entry_id: string;
  archive_id: string;
  semester: string;
  student_id: string;
  name: string;
  class_name: string;
  score: number;
  position: number;
}

/** `reasons`: the school's reason catalogue (migration 0008). */
export interface ReasonsTable {
  code: string;
  label_zh: string;
  label_en: string;
  default_delta: number;
  polarity: string;
  active: BooleanColumn;
  updated_at: DatetimeColumn;
  position: number;
}

/** `student_daily_scores`: each student's score at the end of each day it changed (migration 0008). */
export interface StudentDailyScoresTable {
  entry_id: string;
  student_id: string;
  day: string;
  score: number;
  position: number;
}

/** `projection_checkpoints`: the last log position each projection set has applied. */
export interface ProjectionCheckpointsTable {
  name: string;
  position: number;
  /** The school time zone its rows count days in (migration 0013; `UTC` unless recorded). */
  time_zone: ColumnType<string, string | undefined, string>;
}

/** The tables migrations 0004 and 0006 create. */
export interface ReadModelTables {
  students: StudentsTable;
  score_records: ScoreRecordsTable;
  applications: ApplicationsTable;
  users: UsersTable;
  archives: ArchivesTable;
  archive_students: ArchiveStudentsTable;
  reasons: ReasonsTable;
  student_daily_scores: StudentDailyScoresTable;
  projection_checkpoints: ProjectionCheckpointsTable;
}

/** What projections and their repositories read and write: the read models and the event log. */
export interface ReadModelDatabase extends ReadModelTables {
  event_log: EventRow;
}

/** A connection to the read models and the event log, as the repositories take it. */
export type ReadModelDb = Kysely<ReadModelDatabase>;

/**
 * Narrows a node's Kysely (whose database has these tables, among others) to the read-model view.
 * Kysely's database type is invariant, so a wider instance is not assignable without this.
 *
 * @example const projector = new Projector(readModelDb(db), READ_MODELS);
 */
export function readModelDb<DB extends ReadModelDatabase>(db: Kysely<DB>): Kysely<ReadModelDatabase> {
  return db as unknown as Kysely<ReadModelDatabase>;
}
