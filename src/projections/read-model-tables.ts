import type { ApplicationStatus } from '../domain';
import { assert } from '../shared/assert';

/**
 * Read-model rows as projections compute them (pure values: booleans, ISO-8601 UTC times).
 * Column names are the tables' own, so one row shape serves the fold and the SQL writer.
 */
export interface StudentRow {
  readonly student_id: string;
  readonly name: string;
  readonly class_name: string;
  readonly score: number;
  readonly initial_score: number;
  readonly frozen: boolean;
  readonly archived: boolean;
  readonly updated_at: string;
  readonly position: number;
}

/** One score change. */
export interface ScoreRecordRow {
  readonly position: number;
  readonly student_id: string;
  readonly delta: number;
  readonly reason: string;
  readonly actor: string;
  readonly actor_role: string;
  readonly source: string;
  readonly new_score: number;
  readonly saga_id: string | null;
  readonly application_id: string | null;
  readonly at: string;
  /** The catalogue reason the change named, else null. */
  readonly reason_code: string | null;
}

/** One score-change application. */
export interface ApplicationRow {
  readonly application_id: string;
  readonly student_id: string;
  readonly delta: number;
  readonly reason: string;
  readonly submitted_by: string;
  readonly status: ApplicationStatus;
  readonly reviewer: string | null;
  readonly comment: string | null;
  readonly submitted_at: string | null;
  readonly reviewed_at: string | null;
  readonly submitted_position: number;
  readonly position: number;
  /** The catalogue reason the application named, else null. */
  readonly reason_code: string | null;
}

/** One user account, without secrets. */
export interface UserRow {
  readonly username: string;
  readonly role: string;
  readonly display_name: string;
  readonly student_id: string | null;
  readonly disabled: boolean;
  readonly position: number;
  /** The classes a teacher or club looks after, as a JSON list of names (`[]` for none). */
  readonly classes: string;
}

/** One entry of the reason catalogue. */
export interface ReasonRow {
  readonly code: string;
  readonly label_zh: string;
  readonly label_en: string;
  readonly default_delta: number;
  readonly polarity: string;
  readonly active: boolean;
  readonly updated_at: string;
  readonly position: number;
}

/** A student's score at the end of a day (UTC) on which it changed, keyed `<studentId>/<day>`. */
export interface StudentDailyScoreRow {
  readonly entry_id: string;
  readonly student_id: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  readonly score: number;
  readonly position: number;
}

/** One semester archive (its saga's id is its id). */
export interface ArchiveRow {
  readonly archive_id: string;
  readonly semester: string;
  readonly class_name: string | null;
  /** `pending` while its saga runs, then `completed` or `discarded`. */
  readonly status: string;
  readonly student_count: number;
  readonly updated_at: string;
  readonly position: number;
}

/** One student's snapshot in an archive, keyed `<archiveId>/<studentId>`. */
export interface ArchiveStudentRow {
  readonly entry_id: string;
  readonly archive_id: string;
  readonly semester: string;
  readonly student_id: string;
  readonly name: string;
  readonly class_name: string;
  readonly score: number;
  readonly position: number;
}

/** The row type of each read-model table. */
export interface TableRows {
  students: StudentRow;
  score_records: ScoreRecordRow;
  applications: ApplicationRow;
  users: UserRow;
  archives: ArchiveRow;
  archive_students: ArchiveStudentRow;
  reasons: ReasonRow;
  student_daily_scores: StudentDailyScoreRow;
}

/** A read-model table, by its canonical (live) name. */
export type ReadModelTable = keyof TableRows;

/** The primary-key column of each table. */
export interface KeyColumns {
  students: 'student_id';
  score_records: 'position';
  applications: 'application_id';
  users: 'username';
  archives: 'archive_id';
  archive_students: 'entry_id';
  reasons: 'code';
  student_daily_scores: 'entry_id';
}

/** A table's primary-key value. */
export type TableKey<T extends ReadModelTable> = TableRows[T][KeyColumns[T] & keyof TableRows[T]];

/** A row without its key: what a change sets. */
export type RowFields<T extends ReadModelTable> = Omit<TableRows[T], KeyColumns[T]>;

/** A value a row holds. */
export type RowValue = string | number | boolean | null;

/** The SQL type of a read-model column, as migration 0004 creates it. */
export type SqlType =
  | 'varchar(16)'
  | 'varchar(32)'
  | 'varchar(128)'
  | 'varchar(255)'
  | 'text'
  | 'bigint'
  | 'boolean'
  | 'datetime(3)';

/** How the SQL side stores one table: its key, its columns in order with their types, and defaults. */
export interface TableSchema<T extends ReadModelTable = ReadModelTable> {
  readonly table: T;
  readonly key: KeyColumns[T];
  /** Every column in table order (the key first) with its SQL type. */
  readonly columns: { readonly [C in keyof TableRows[T] & string]: SqlType };
  /**
   * What a column holds before any event set it. Only a row changed before it was created (which
   * no log the domain decided contains) keeps a default; the fold and the SQL writer agree on it.
   */
  readonly defaults: RowFields<T>;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/** The schema of every read-model table. */
export const TABLE_SCHEMAS: { readonly [T in ReadModelTable]: TableSchema<T> } = {
  students: {
    table: 'students',
    key: 'student_id',
    columns: {
      student_id: 'varchar(128)',
      name: 'varchar(255)',
      class_name: 'varchar(255)',
      score: 'bigint',
      initial_score: 'bigint',
      frozen: 'boolean',
      archived: 'boolean',
      updated_at: 'datetime(3)',
      position: 'bigint',
    },
    defaults: {
      name: '',
      class_name: '',
      score: 0,
      initial_score: 0,
      frozen: false,
      archived: false,
      updated_at: EPOCH,
      position: 0,
    },
  },
  score_records: {
    table: 'score_records',
    key: 'position',
    columns: {
      position: 'bigint',
      student_id: 'varchar(128)',
      delta: 'bigint',
      reason: 'text',
      actor: 'varchar(128)',
      actor_role: 'varchar(32)',
      source: 'varchar(32)',
      new_score: 'bigint',
      saga_id: 'varchar(128)',
      application_id: 'varchar(128)',
      at: 'datetime(3)',
      reason_code: 'varchar(32)',
    },
    defaults: {
      student_id: '',
      delta: 0,
      reason: '',
      actor: '',
      actor_role: '',
      source: '',
      new_score: 0,
      saga_id: null,
      application_id: null,
      at: EPOCH,
      reason_code: null,
    },
  },
  applications: {
    table: 'applications',
    key: 'application_id',
    columns: {
      application_id: 'varchar(128)',
      student_id: 'varchar(128)',
      delta: 'bigint',
      reason: 'text',
      submitted_by: 'varchar(128)',
      status: 'varchar(16)',
      reviewer: 'varchar(128)',
      comment: 'text',
      submitted_at: 'datetime(3)',
      reviewed_at: 'datetime(3)',
      submitted_position: 'bigint',
      position: 'bigint',
      reason_code: 'varchar(32)',
    },
    defaults: {
      student_id: '',
      delta: 0,
      reason: '',
      submitted_by: '',
      status: 'pending',
      reviewer: null,
      comment: null,
      submitted_at: null,
      reviewed_at: null,
      submitted_position: 0,
      position: 0,
      reason_code: null,
    },
  },
  users: {
    table: 'users',
    key: 'username',
    columns: {
      username: 'varchar(128)',
      role: 'varchar(16)',
      display_name: 'varchar(255)',
      student_id: 'varchar(128)',
      disabled: 'boolean',
      position: 'bigint',
      classes: 'text',
    },
    defaults: { role: '', display_name: '', student_id: null, disabled: false, position: 0, classes: '[]' },
  },
  archives: {
    table: 'archives',
    key: 'archive_id',
    columns: {
      archive_id: 'varchar(128)',
      semester: 'varchar(128)',
      class_name: 'varchar(255)',
      status: 'varchar(16)',
      student_count: 'bigint',
      updated_at: 'datetime(3)',
      position: 'bigint',
    },
    defaults: { semester: '', class_name: null, status: 'pending', student_count: 0, updated_at: EPOCH, position: 0 },
  },
  archive_students: {
    table: 'archive_students',
    key: 'entry_id',
    columns: {
      entry_id: 'varchar(255)',
      archive_id: 'varchar(128)',
      semester: 'varchar(128)',
      student_id: 'varchar(128)',
      name: 'varchar(255)',
      class_name: 'varchar(255)',
      score: 'bigint',
      position: 'bigint',
    },
    defaults: { archive_id: '', semester: '', student_id: '', name: '', class_name: '', score: 0, position: 0 },
  },
  reasons: {
    table: 'reasons',
    key: 'code',
    columns: {
      code: 'varchar(32)',
      label_zh: 'varchar(255)',
      label_en: 'varchar(255)',
      default_delta: 'bigint',
      polarity: 'varchar(16)',
      active: 'boolean',
      updated_at: 'datetime(3)',
      position: 'bigint',
    },
    defaults: { label_zh: '', label_en: '', default_delta: 0, polarity: 'positive', active: false, updated_at: EPOCH, position: 0 },
  },
  student_daily_scores: {
    table: 'student_daily_scores',
    key: 'entry_id',
    columns: { entry_id: 'varchar(255)', student_id: 'varchar(128)', day: 'varchar(16)', score: 'bigint', position: 'bigint' },
    defaults: { student_id: '', day: '', score: 0, position: 0 },
  },
};

/** Every read-model table, in the order batches write them. */
export const READ_MODEL_TABLES: readonly ReadModelTable[] = ['students', 'score_records', 'applications', 'users', 'archives', 'archive_students', 'reasons', 'student_daily_scores'];

/** A table's columns in order, with their SQL types (the key first). */
export function columnsOf(table: ReadModelTable): readonly (readonly [string, SqlType])[] {
  return COLUMN_LISTS[table];
}

const COLUMN_LISTS = Object.fromEntries(
  READ_MODEL_TABLES.map((table) => {
    const columns = Object.entries(TABLE_SCHEMAS[table].columns) as [string, SqlType][];
    assert(columns[0][0] === TABLE_SCHEMAS[table].key, `the key of ${table} must be its first column`);
    return [table, columns];
  }),
) as unknown as { readonly [T in ReadModelTable]: readonly (readonly [string, SqlType])[] };
