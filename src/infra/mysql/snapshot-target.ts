import { type Connection, createConnection } from 'mysql2/promise';
import { CHOSEN_WATERMARK_META } from './chosen-watermark';
import { createDatabase, createKysely } from './database';
import { checkDatabaseName } from './database-name';
import { migrateToLatest } from './migrate';
import { parseMysqlUrl } from './mysql-url';
import { ACCEPTOR_TABLES, CHOSEN_LOG } from './snapshot-tables';
import { type SnapshotValue, quote } from './snapshot-source';

/** Rows one INSERT carries at most. */
const INSERT_ROWS_MAX = 1000;
/**
 * Value bytes one INSERT carries at most: escaping can double text on the wire, and this keeps
 * a statement under MariaDB's default max_allowed_packet (16 MiB).
 */
const INSERT_BYTES_MAX = 4 * 1024 * 1024;
/** Value bytes one transaction commits at most: large enough to load fast, small enough for the undo log. */
const TRANSACTION_BYTES_MAX = 32 * 1024 * 1024;

/** Tables (besides the migrations' own) of a database that hold rows. */
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/** What a restore found where it is to write. */
export interface TargetState {
  readonly exists: boolean;
  /** Tables holding at least one row (migration bookkeeping aside). */
  readonly tablesWithRows: readonly string[];
}

/** Whether database `database` exists and which of its tables hold rows. */
export async function inspectTarget(url: string, database: string): Promise<TargetState> {
  checkDatabaseName(database);
  const connection = await createConnection({ ...parseMysqlUrl(url), database: undefined });
  try {
    const [schemata] = await connection.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
    if (Number((schemata as { n: number }[])[0].n) === 0) return { exists: false, tablesWithRows: [] };
    const [tables] = await connection.query(
      `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
      [database],
    );
    const withRows: string[] = [];
    for (const { name } of tables as { name: string }[]) {
      if (MIGRATION_TABLES.includes(name)) continue;
      const [rows] = await connection.query(`SELECT EXISTS (SELECT 1 FROM ${quote(database)}.${quote(name)}) AS any_row`);
      if (Number((rows as { any_row: number }[])[0].any_row) === 1) withRows.push(name);
    }
    return { exists: true, tablesWithRows: withRows };
  } finally {
    await connection.end();
  }
}

/**
 * A `paxos_meta` row of `database`, or undefined when the row, the table or the database does not
 * exist: two queries, where inspecting every table would take one per table.
 */
export async function readMetaIfPresent(url: string, database: string, name: string): Promise<number | undefined> {
  checkDatabaseName(database);
  const connection = await createConnection({ ...parseMysqlUrl(url), database: undefined });
  try {
    const [tables] = await connection.query(
      `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'paxos_meta'`,
      [database],
    );
    if (Number((tables as { n: number }[])[0].n) === 0) return undefined;
    const [rows] = await connection.query(`SELECT value FROM ${quote(database)}.paxos_meta WHERE name = ?`, [name]);
    const row = (rows as { value: number | string }[])[0];
    return row === undefined ? undefined : Number(row.value);
  } finally {
    await connection.end();
  }
}

/** Creates the database when missing and runs every migration, as a node does at start. */
export async function createMigratedDatabase(url: string, database: string): Promise<readonly string[]> {
  await createDatabase(url, database);
  const db = createKysely(url, database, 1);
  try {
    return await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

/**
 * Loads a snapshot's rows into a freshly migrated database on one connection: batched
 * multi-row INSERTs (INSERT_ROWS_MAX rows, INSERT_BYTES_MAX bytes each), committed every
 * TRANSACTION_BYTES_MAX. Call `table` before each table's rows, `row` for each, `finish` last.
 */
export class SnapshotLoader {
  private table: { name: string; columns: readonly string[] } | null = null;
  private batch: SnapshotValue[][] = [];
  private batchBytes = 0;
  private uncommittedBytes = 0;
  private inTransaction = false;

  private constructor(private readonly connection: Connection) {}

  /** Opens a loading connection to `database`. */
  static async open(url: string, database: string): Promise<SnapshotLoader> {
    const connection = await createConnection({ ...parseMysqlUrl(url), database: checkDatabaseName(database), charset: 'UTF8MB4_BIN', timezone: 'Z' });
    return new SnapshotLoader(connection);
  }

  /** Every column of every table of the database, by table. */
  async columns(): Promise<Map<string, Set<string>>> {
    const [rows] = await this.connection.query(
      'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()',
    );
    const byTable = new Map<string, Set<string>>();
    for (const { t, c } of rows as { t: string; c: string }[]) byTable.set(t, (byTable.get(t) ?? new Set()).add(c));
    return byTable;
  }

  /** Starts the rows of `name`, whose values come in `columns` order. */
  async startTable(name: string, columns: readonly string[]): Promise<void> {
    await this.flush();
    this.table = { name, columns };
  }

  /** Queues one row; writes a batch when it is full. */
  async row(values: readonly SnapshotValue[]): Promise<void> {
    const bytes = values.reduce<number>((sum, v) => sum + (typeof v === 'string' ? Buffer.byteLength(v) : 8), 0);
    if (this.batch.length > 0 && (this.batch.length >= INSERT_ROWS_MAX || this.batchBytes + bytes > INSERT_BYTES_MAX)) await this.flush();
    this.batch.push([...values]);
    this.batchBytes += bytes;
  }

  /**
   * Writes what is queued, records the chosen watermark (every slot up to it is chosen and
   * stored: the node restarts knowing so; it replaces a floor the database had) and commits.
   *
   * @returns the rows each table holds now.
   */
  async finish(chosenWatermark: number, tables: readonly string[]): Promise<Map<string, number>> {
    await this.flush();
    await this.begin();
    // Exactly the snapshot's: the chosen log holds its slots and no others (an install replaced a node's own rows; a restore had none).
    await this.connection.query('INSERT INTO paxos_meta (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)', [CHOSEN_WATERMARK_META, chosenWatermark]);
    await this.commit();
    const counts = new Map<string, number>();
    for (const table of [...tables, ...ACCEPTOR_TABLES]) {
      // The log table's accepts are its rows above the watermark; those below are the chosen log (its view).
      const where = table === 'paxos_accepted' ? ` WHERE slot > ${Number(chosenWatermark)}` : '';
      const [rows] = await this.connection.query(`SELECT COUNT(*) AS n FROM ${quote(table)}${where}`);
      counts.set(table, Number((rows as { n: number }[])[0].n));
    }
    return counts;
  }

  /** A `paxos_meta` counter, or undefined when it was never written. */
  async meta(name: string): Promise<number | undefined> {
    const [rows] = await this.connection.query('SELECT value FROM paxos_meta WHERE name = ?', [name]);
    const row = (rows as { value: number | string }[])[0];
    return row === undefined ? undefined : Number(row.value);
  }

  /** Sets a `paxos_meta` row (committed at once). */
  async setMeta(name: string, value: number): Promise<void> {
    await this.flush();
    await this.connection.query('INSERT INTO paxos_meta (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)', [name, value]);
  }

  /** Deletes a `paxos_meta` row (committed at once). */
  async clearMeta(name: string): Promise<void> {
    await this.connection.query('DELETE FROM paxos_meta WHERE name = ?', [name]);
  }

  /** Empties `tables` (TRUNCATE: each at once, not undoable), before an install loads them again. */
  async empty(tables: readonly string[]): Promise<void> {
    // The chosen log is a view of the log table, whose rows the load overwrites (and whose accepts it keeps).
    for (const table of tables) if (table !== CHOSEN_LOG) await this.connection.query(`TRUNCATE TABLE ${quote(table)}`);
  }

  /** Rolls back what is not committed and closes the connection. */
  async close(): Promise<void> {
    try {
      if (this.inTransaction) await this.connection.query('ROLLBACK');
    } finally {
      await this.connection.end();
    }
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const { name, columns } = this.table!;
    const statement = name === CHOSEN_LOG ? chosenLogInsert(columns, this.batch.length) : plainInsert(name, columns, this.batch.length);
    await this.begin();
    await this.connection.query(statement, this.batch.flat());
    this.uncommittedBytes += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    if (this.uncommittedBytes >= TRANSACTION_BYTES_MAX) await this.commit();
  }

  private async begin(): Promise<void> {
    if (this.inTransaction) return;
    await this.connection.query('START TRANSACTION');
    this.inTransaction = true;
  }

  private async commit(): Promise<void> {
    if (!this.inTransaction) return;
    await this.connection.query('COMMIT');
    this.inTransaction = false;
    this.uncommittedBytes = 0;
  }
}

function plainInsert(table: string, columns: readonly string[], rows: number): string {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
}

/**
 * The chosen log's rows go into the log table (migration 0016) with ballot zero: a chosen value
 * is no promise. Where the node accepted the slot itself (an install), its ballot stays and the
 * value becomes the chosen one.
 */
function chosenLogInsert(columns: readonly string[], rows: number): string {
  const tuple = `(${columns.map(() => '?').join(', ')}, 0, '')`;
  const names = [...columns, 'ballot_round', 'ballot_node'].map(quote).join(', ');
  return `INSERT INTO paxos_accepted (${names}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')} ON DUPLICATE KEY UPDATE value = VALUES(value)`;
}
