import {
  type ReadModelTable,
  type RowFields,
  type RowValue,
  READ_MODEL_TABLES,
  TABLE_SCHEMAS,
  type TableKey,
  type TableRows,
} from './read-model-tables';

/**
 * What one event does to one row: set some columns of the row with this key, creating the row
 * (from the table's defaults) when it is missing. Changes to one row compose by overwriting:
 * applying `a` then `b` equals applying `{...a.set, ...b.set}`, which is what lets a batch
 * aggregate many events into one upsert per row.
 *
 * @example rowChange('students', 's-1', { score: 105, updated_at: at, position: 42 })
 */
export type RowChange<T extends ReadModelTable = ReadModelTable> = {
  [K in T]: { readonly table: K; readonly key: TableKey<K>; readonly set: Partial<RowFields<K>> };
}[T];

/** Builds a RowChange. */
export function rowChange<T extends ReadModelTable>(
  table: T,
  key: TableKey<T>,
  set: Partial<RowFields<T>>,
): RowChange<T> {
  return { table, key, set } as RowChange<T>;
}

/** The content of every read-model table, in memory: what the fold of the log gives. */
export type ReadModelState = { [T in ReadModelTable]: Map<TableKey<T>, TableRows[T]> };

/** Empty tables. */
export function emptyReadModelState(): ReadModelState {
  return { students: new Map(), score_records: new Map(), applications: new Map(), users: new Map(), archives: new Map(), archive_students: new Map(), reasons: new Map(), student_daily_scores: new Map() };
}

/** A plain row, as the generic parts (merge, SQL) handle it. */
export type PlainRow = Record<string, RowValue>;

/** A key value, as the generic parts handle it. */
type AnyKey = string | number;

/**
 * Applies one change to in-memory tables (mutates `state`; no I/O). This is the reference
 * semantics the SQL upsert of a merged batch must match.
 */
export function applyRowChange(state: ReadModelState, change: RowChange): void {
  const table = state[change.table] as unknown as Map<AnyKey, PlainRow>;
  const existing = table.get(change.key);
  const set = change.set as PlainRow;
  table.set(change.key, existing === undefined ? fullRow(change.table, change.key, set) : { ...existing, ...set });
}

/** The row an upsert inserts when the key is new: key, defaults, then what the change sets. */
export function fullRow(table: ReadModelTable, key: AnyKey, set: PlainRow): PlainRow {
  const schema = TABLE_SCHEMAS[table];
  return { [schema.key]: key, ...(schema.defaults as PlainRow), ...set };
}

/** Rows of one table that set the same columns: one multi-row upsert. */
export interface UpsertGroup {
  readonly table: ReadModelTable;
  /** The columns an existing row gets from the upsert (never the key). */
  readonly updates: readonly string[];
  /** Each row's key and merged set; a new key is inserted as fullRow(table, key, set). */
  readonly rows: readonly UpsertRow[];
}

/** One row of an upsert group. */
export interface UpsertRow {
  readonly key: AnyKey;
  readonly set: Readonly<PlainRow>;
}

/**
 * The row changes of a batch of events, merged per row in event order: many changes to one row
 * become one upsert. Pure; the projector writes `groups()` in one transaction.
 */
export class RowChangeBatch {
  /** Per table, each row's merged set. */
  private readonly pending = new Map<ReadModelTable, Map<AnyKey, PlainRow>>();
  /** The merged sets this batch made (and may mutate); any other is a change's own set, never mutated. */
  private readonly owned = new Set<PlainRow>();
  private rowCount = 0;

  /**
   * Merges a change into the row's pending set (later columns win). A row changed once keeps the
   * change's own set; the second change copies it (copy on write), later ones merge into the copy.
   */
  add(change: RowChange): void {
    let rows = this.pending.get(change.table);
    if (rows === undefined) {
      rows = new Map();
      this.pending.set(change.table, rows);
    }
    const set = change.set as PlainRow;
    const before = rows.get(change.key);
    if (before === undefined) {
      this.rowCount += 1;
      rows.set(change.key, set);
    } else if (this.owned.has(before)) {
      Object.assign(before, set);
    } else {
      const merged = { ...before, ...set };
      this.owned.add(merged);
      rows.set(change.key, merged);
    }
  }

  /** How many distinct rows the batch changes. */
  get size(): number {
    return this.rowCount;
  }

  /** The upserts to run, table by table (READ_MODEL_TABLES order), one per set of columns. */
  groups(): UpsertGroup[] {
    const groups: UpsertGroup[] = [];
    for (const table of READ_MODEL_TABLES) {
      const rows = this.pending.get(table);
      if (rows !== undefined) groups.push(...groupByColumns(table, rows));
    }
    return groups;
  }
}

function groupByColumns(table: ReadModelTable, rows: Map<AnyKey, Readonly<PlainRow>>): UpsertGroup[] {
  const byColumns = new Map<string, { updates: string[]; rows: UpsertRow[] }>();
  // Rows built by one code path list their columns in one order: sort each distinct order once,
  // and reuse the previous row's group while the order repeats (no key text built per row).
  const sortedByOrder = new Map<string, string>();
  let lastKeys: string[] = [];
  let lastGroup: { updates: string[]; rows: UpsertRow[] } | undefined;
  for (const [key, set] of rows) {
    const keys = Object.keys(set);
    if (lastGroup === undefined || !sameKeys(keys, lastKeys)) {
      const order = keys.join(',');
      let id = sortedByOrder.get(order);
      if (id === undefined) {
        id = [...keys].sort().join(',');
        sortedByOrder.set(order, id);
      }
      lastGroup = byColumns.get(id);
      if (lastGroup === undefined) {
        lastGroup = { updates: id === '' ? [] : id.split(','), rows: [] };
        byColumns.set(id, lastGroup);
      }
      lastKeys = keys;
    }
    lastGroup.rows.push({ key, set });
  }
  return [...byColumns.values()].map((g) => ({ table, ...g }));
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
