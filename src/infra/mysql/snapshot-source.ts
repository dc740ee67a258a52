import { type Connection, createConnection } from 'mysql2/promise';
import { CHOSEN_WATERMARK_META } from './chosen-watermark';
import { checkDatabaseName } from './database-name';
import { parseMysqlUrl } from './mysql-url';
import {
  ACCEPTOR_TABLES,
  CHOSEN_LOG,
  NODE_LOCAL_TABLES,
  QUEUED_COMMANDS_TABLE,
  SNAPSHOT_COLUMN_TYPES,
  SNAPSHOT_TABLES,
} from './snapshot-tables';

/** One column value as a snapshot carries it: DATETIMEs as `YYYY-MM-DD HH:MM:SS.mmm` text. */
export type SnapshotValue = string | number | null;

/** A table of a snapshot: its columns in table order, its primary key, and its rows at the snapshot. */
export interface SnapshotTableInfo {
  readonly name: string;
  readonly columns: readonly string[];
  readonly key: readonly string[];
  readonly rows: number;
}

/** Where the node's log stood at the snapshot's instant. */
export interface SnapshotPosition {
  /** Every slot up to here is chosen and stored (and applied: chosen rows commit with their events). */
  readonly chosenWatermark: number;
  /** The last slot applied: its chosen row and its events are in the snapshot. */
  readonly appliedSlot: number;
  /** The last event position in the snapshot (positions are gap-free from 1). */
  readonly eventPosition: number;
  /** The newest migration the source database had run, or null when it has no migration table. */
  readonly migration: string | null;
}

/** What a snapshot reads besides the fixed tables. */
export interface SnapshotSourceOptions {
  /** Copy `queued_commands` too (a backup of the node does; a snapshot for a peer does not). */
  readonly queuedCommands: boolean;
}

/**
 * The source database cannot give a snapshot a node could restart from: its chosen log has a
 * gap, its events run past its chosen log, a column type the format cannot carry.
 */
export class SnapshotSourceError extends Error {
  override readonly name = 'SnapshotSourceError';
}

/**
 * Rows one page reads at first (few: a slot value may be a MiB, and nothing is known of the
 * table's rows yet), and at most.
 */
const PAGE_ROWS_FIRST = 16;
const PAGE_ROWS_MAX = 10_000;
/** Bytes of values one page aims at: pages of large slot values hold few rows, pages of small rows many. */
const PAGE_BYTES_TARGET = 4 * 1024 * 1024;

/**
 * One read-only transaction on a node's database, opened `WITH CONSISTENT SNAPSHOT` at
 * REPEATABLE READ: every table is read as it was at one instant, while the node goes on writing.
 * Never reads the acceptor's state: the chosen log comes through its view, slots and values
 * without ballots. Read the tables' pages with `pages`, then `close()`.
 *
 * @example
 * const snapshot = await ConsistentSnapshot.open(url, 'behavior_n1', { queuedCommands: true });
 * try { for (const t of snapshot.tables) for await (const page of snapshot.pages(t)) write(page); }
 * finally { await snapshot.close(); }
 */
export class ConsistentSnapshot {
  private constructor(
    private readonly connection: Connection,
    readonly position: SnapshotPosition,
    readonly tables: readonly SnapshotTableInfo[],
    /** Tables of the database the snapshot does not copy (neither acceptor state nor node bookkeeping). */
    readonly notCopied: readonly string[],
  ) {}

  /**
   * Opens the snapshot and reads where the log stands and how many rows each table has.
   *
   * @throws SnapshotSourceError when the database is no node's, or its log is not a clean prefix.
   * @throws mysql2's error when the server cannot be reached or the database does not exist.
   */
  static async open(url: string, database: string, options: SnapshotSourceOptions): Promise<ConsistentSnapshot> {
    const connection = await createConnection({
      ...parseMysqlUrl(url),
      database: checkDatabaseName(database),
      charset: 'UTF8MB4_BIN',
      timezone: 'Z',
      // Lossless text for DATETIME(3), numbers for safe BIGINTs (strings beyond).
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
    });
    try {
      await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const present = await baseTables(connection);
      if (!present.includes('paxos_chosen') || !present.includes('event_log')) {
        throw new SnapshotSourceError(`database ${database} has no chosen log or event log: it is not a node's database`);
      }
      const wanted = [...SNAPSHOT_TABLES, ...(options.queuedCommands ? [QUEUED_COMMANDS_TABLE] : [])].filter((t) => present.includes(t));
      const position = await readPosition(connection, present);
      const tables: SnapshotTableInfo[] = [];
      for (const name of wanted) tables.push(await describeTable(connection, name));
      await checkCheckpoints(connection, present, position.eventPosition);
      const skip = new Set([...wanted, ...ACCEPTOR_TABLES, ...NODE_LOCAL_TABLES]);
      return new ConsistentSnapshot(connection, position, tables, present.filter((t) => !skip.has(t)));
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The table's rows in primary-key order, a page at a time (keyset paging: each page starts
   * after the last key of the one before), so memory holds one page whatever the table's size.
   * Pages adapt their row count to about PAGE_BYTES_TARGET of values (see nextPageRows).
   */
  async *pages(table: SnapshotTableInfo): AsyncGenerator<SnapshotValue[][]> {
    const keyAt = table.key.map((k) => table.columns.indexOf(k));
    const select = `SELECT ${table.columns.map(quote).join(', ')} FROM ${quote(table.name)}`;
    const order = ` ORDER BY ${table.key.map(quote).join(', ')} LIMIT ?`;
    let after: SnapshotValue[] | null = null;
    let pageRows = PAGE_ROWS_FIRST;
    // Each page holds at least one row, and the rows were counted: the loop ends.
    for (let read = 0; read <= table.rows; ) {
      const where = after === null ? { sql: '', params: [] } : keyAfter(table.key, after);
      const [rows] = await this.connection.query({ sql: `${select}${where.sql}${order}`, rowsAsArray: true }, [...where.params, pageRows]);
      const page = rows as unknown as SnapshotValue[][];
      read += page.length;
      // More rows than counted at the same instant: the snapshot is not one instant after all.
      if (read > table.rows) throw new SnapshotSourceError(`table ${table.name} gave more rows than the ${table.rows} it counted in the same snapshot`);
      if (page.length === 0) return;
      const bytes = checkPage(table, page);
      yield page;
      if (page.length < pageRows) return;
      after = keyAt.map((i) => page[page.length - 1][i]);
      pageRows = nextPageRows(pageRows, bytes);
    }
  }

  /** Ends the read-only transaction and closes the connection. */
  async close(): Promise<void> {
    try {
      await this.connection.query('COMMIT');
    } finally {
      await this.connection.end();
    }
  }
}

/**
 * The next page's row count: as many rows as the last page's average row fits in
 * PAGE_BYTES_TARGET, at most twice the last count (rows may grow), within 1..PAGE_ROWS_MAX.
 */
function nextPageRows(rows: number, bytes: number): number {
  const fitting = Math.floor((rows * PAGE_BYTES_TARGET) / Math.max(bytes, 1));
  return Math.max(1, Math.min(fitting, rows * 2, PAGE_ROWS_MAX));
}

/** `WHERE (k1 > ?) OR (k1 = ? AND k2 > ?) ...`: the rows after `after` in key order, as ranges InnoDB seeks. */
function keyAfter(key: readonly string[], after: readonly SnapshotValue[]): { sql: string; params: SnapshotValue[] } {
  const terms: string[] = [];
  const params: SnapshotValue[] = [];
  for (let i = 0; i < key.length; i++) {
    const equal = key.slice(0, i).map((k) => `${quote(k)} = ?`);
    terms.push(`(${[...equal, `${quote(key[i])} > ?`].join(' AND ')})`);
    params.push(...after.slice(0, i + 1));
  }
  return { sql: ` WHERE ${terms.join(' OR ')}`, params };
}

/** Checks every value is one the format carries; returns the page's approximate size in bytes. */
function checkPage(table: SnapshotTableInfo, page: readonly SnapshotValue[][]): number {
  let bytes = 0;
  for (const row of page) {
    for (const value of row) {
      if (typeof value === 'string') bytes += value.length;
      else if (typeof value === 'number') bytes += 8;
      else if (value !== null) throw new SnapshotSourceError(`table ${table.name} holds a value of type ${typeof value} that a snapshot cannot carry`);
    }
  }
  return bytes;
}

/** The database's tables, and the chosen log's view (migration 0016). */
async function baseTables(connection: Connection): Promise<string[]> {
  const [rows] = await connection.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()
     AND (TABLE_TYPE = 'BASE TABLE' OR (TABLE_TYPE = 'VIEW' AND TABLE_NAME = ?)) ORDER BY TABLE_NAME`,
    [CHOSEN_LOG],
  );
  return (rows as { name: string }[]).map((r) => r.name);
}

/** The table's columns (checked to be types the format carries), primary key and row count. */
async function describeTable(connection: Connection, name: string): Promise<SnapshotTableInfo> {
  const [columns] = await connection.query(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [name],
  );
  for (const c of columns as { name: string; type: string }[]) {
    if (!SNAPSHOT_COLUMN_TYPES.has(c.type.toLowerCase())) {
      throw new SnapshotSourceError(`column ${name}.${c.name} has type ${c.type}, which a snapshot cannot carry`);
    }
  }
  const [key] = await connection.query(
    `SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`,
    [name],
  );
  // The chosen log is a view of the log table's rows by slot, its key.
  const keyNames = name === CHOSEN_LOG ? ['slot'] : (key as { name: string }[]).map((k) => k.name);
  if (keyNames.length === 0) throw new SnapshotSourceError(`table ${name} has no primary key to page it by`);
  const [count] = await connection.query(`SELECT COUNT(*) AS n FROM ${quote(name)}`);
  return {
    name,
    columns: (columns as { name: string }[]).map((c) => c.name),
    key: keyNames,
    rows: Number((count as { n: number | string }[])[0].n),
  };
}

/**
 * Where the log stands in the snapshot. Chosen rows are stored with their events in one
 * transaction, in slot order, and never pruned: slots 1..W without a gap, and events of no
 * slot above W. Anything else is refused rather than copied.
 */
async function readPosition(connection: Connection, present: readonly string[]): Promise<SnapshotPosition> {
  const chosen = await one(connection, 'SELECT COUNT(*) AS n, COALESCE(MAX(slot), 0) AS last FROM paxos_chosen');
  if (chosen.n !== chosen.last) {
    throw new SnapshotSourceError(`the chosen log has gaps: ${chosen.n} stored slots up to slot ${chosen.last}`);
  }
  const watermark = chosen.last;
  const events = await one(connection, 'SELECT COUNT(*) AS n, COALESCE(MAX(position), 0) AS last, COALESCE(MAX(slot), 0) AS slot FROM event_log');
  if (events.n !== events.last) throw new SnapshotSourceError(`the event log has gaps: ${events.n} events up to position ${events.last}`);
  if (events.slot > watermark) throw new SnapshotSourceError(`the event log holds events of slot ${events.slot}, above the chosen log's last slot ${watermark}`);
  if (present.includes('applied_commands')) {
    const outcomes = await one(connection, 'SELECT COUNT(*) AS n, COALESCE(MAX(slot), 0) AS slot FROM applied_commands');
    if (outcomes.slot > watermark) throw new SnapshotSourceError(`applied_commands holds slot ${outcomes.slot}, above the chosen log's last slot ${watermark}`);
  }
  if (present.includes('paxos_meta')) {
    const [rows] = await connection.query('SELECT value FROM paxos_meta WHERE name = ?', [CHOSEN_WATERMARK_META]);
    const recorded = Number((rows as { value: number }[])[0]?.value ?? 0);
    if (recorded !== watermark) throw new SnapshotSourceError(`the chosen watermark ${recorded} is not the last stored chosen slot ${watermark}`);
  }
  return { chosenWatermark: watermark, appliedSlot: watermark, eventPosition: events.last, migration: await lastMigration(connection, present) };
}

/** Read models and aggregate snapshots are folds of the log: none may be ahead of it. */
async function checkCheckpoints(connection: Connection, present: readonly string[], eventPosition: number): Promise<void> {
  for (const table of ['projection_checkpoints', 'aggregate_checkpoint']) {
    if (!present.includes(table)) continue;
    const { last } = await one(connection, `SELECT 0 AS n, COALESCE(MAX(position), 0) AS last FROM ${quote(table)}`);
    if (last > eventPosition) throw new SnapshotSourceError(`${table} is at position ${last}, past the event log's last position ${eventPosition}`);
  }
}

async function lastMigration(connection: Connection, present: readonly string[]): Promise<string | null> {
  if (!present.includes('kysely_migration')) return null;
  const [rows] = await connection.query('SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1');
  return (rows as { name: string }[])[0]?.name ?? null;
}

async function one(connection: Connection, query: string): Promise<{ n: number; last: number; slot: number }> {
  const [rows] = await connection.query(query);
  const row = (rows as Record<string, number | string | null>[])[0];
  return { n: Number(row.n ?? 0), last: Number(row.last ?? 0), slot: Number(row.slot ?? 0) };
}

/** A backtick-quoted identifier; the names come from information_schema and SNAPSHOT_TABLES. */
export function quote(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}
