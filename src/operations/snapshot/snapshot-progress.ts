/** What a backup or restore is doing: reading the database, verifying the file, loading it. */
export type SnapshotPhase = 'read' | 'verify' | 'load';

/**
 * Progress of a backup or restore: first the tables and their row totals, then rows done per
 * table (reported after each page or batch, and once more when the table is done).
 */
export type SnapshotProgress =
  | { readonly kind: 'tables'; readonly phase: SnapshotPhase; readonly tables: readonly { readonly name: string; readonly rows: number }[] }
  | { readonly kind: 'rows'; readonly phase: SnapshotPhase; readonly table: string; readonly done: number; readonly total: number };

/** Told of progress; must not throw. */
export type SnapshotProgressListener = (progress: SnapshotProgress) => void;

/** Rows between two progress reports while a file is verified or loaded. */
export const PROGRESS_EVERY_ROWS = 1000;
