import { type Kysely, type RawBuilder, sql } from 'kysely';
import { tsvField } from '../infra/mysql/bulk-loader';
import { executePrepared } from '../infra/mysql/prepared-statements';
import { assert } from '../shared/assert';
import type { ReadModelDatabase } from './read-model-database';
import { type ReadModelTable, type RowValue, type SqlType, TABLE_SCHEMAS, columnsOf } from './read-model-tables';
import type { UpsertGroup, UpsertRow } from './row-change';
import { sqlDatetime } from './sql-values';

/** Rows per INSERT statement at most. */
export const UPSERT_ROWS_MAX = 2000;
/**
 * JSON characters per INSERT statement at most: at three UTF-8 bytes per character at worst, a
 * statement stays under 8 MiB, half of MySQL's default 16 MiB max_allowed_packet.
 */
export const UPSERT_JSON_CHARS_MAX = 2_500_000;

/** MySQL identifiers are at most 64 characters; shadow-table prefixes keep room for the name. */
const TABLE_PREFIX_MAX = 32;

/** Maps a read model's canonical table name to the physical table a writer targets. */
export type TableNames = (table: ReadModelTable) => string;

/**
 * Physical names `<prefix><table>`: '' for the live tables, e.g. `shadow_` for a rebuild's shadow
 * tables (created with `CREATE TABLE shadow_students LIKE students`).
 *
 * @example prefixedTables('shadow_')('students') // 'shadow_students'
 */
export function prefixedTables(prefix: string): TableNames {
  assert(
    /^[a-z0-9_]*$/.test(prefix) && prefix.length <= TABLE_PREFIX_MAX,
    `a table prefix is at most ${TABLE_PREFIX_MAX} of a-z, 0-9 and _, got ${JSON.stringify(prefix)}`,
  );
  return (table) => `${prefix}${table}`;
}

/**
 * Runs one group of upserts: `INSERT ... SELECT FROM JSON_TABLE(?) ... ON DUPLICATE KEY UPDATE`
 * of the group's columns, chunked by UPSERT_ROWS_MAX and UPSERT_JSON_CHARS_MAX. A new key gets
 * the full row; an existing one only the columns the group's changes set.
 *
 * Why JSON_TABLE: the rows travel as one JSON parameter of a prepared statement whose text is the
 * same for every batch of the group's shape, so nothing escapes thousands of values into SQL
 * text and the server parses the statement once per connection (as the event store does).
 */
export async function writeUpsertGroup(
  db: Kysely<ReadModelDatabase>,
  group: UpsertGroup,
  tables: TableNames,
): Promise<void> {
  for (const chunk of upsertChunks(group, tables)) await runUpsertChunk(db, chunk);
}

/** One INSERT of an upsert group: up to UPSERT_ROWS_MAX rows, as one JSON parameter. */
export type UpsertChunk = RawBuilder<unknown>;

/**
 * The statements of one upsert group, chunked by UPSERT_ROWS_MAX and UPSERT_JSON_CHARS_MAX. The
 * chunks touch distinct rows, so they may run in any order or at once on several connections.
 */
export function* upsertChunks(group: UpsertGroup, tables: TableNames): Generator<UpsertChunk> {
  const columns = columnsOf(group.table);
  const defaults = TABLE_SCHEMAS[group.table].defaults as Readonly<Record<string, RowValue>>;
  const statement = upsertStatement(tables(group.table), columns, group.updates);
  let chunk: string[] = [];
  let chars = 0;
  for (const row of group.rows) {
    const json = JSON.stringify(rowValues(columns, defaults, row));
    if (chunk.length === UPSERT_ROWS_MAX || (chunk.length > 0 && chars + json.length > UPSERT_JSON_CHARS_MAX)) {
      yield statement(`[${chunk.join(',')}]`);
      chunk = [];
      chars = 0;
    }
    chunk.push(json);
    chars += json.length + 1;
  }
  if (chunk.length > 0) yield statement(`[${chunk.join(',')}]`);
}

/** Runs one chunk as a prepared statement. */
export async function runUpsertChunk(db: Kysely<ReadModelDatabase>, chunk: UpsertChunk): Promise<void> {
  await executePrepared(db, { compile: () => chunk.compile(db) });
}

/**
 * Whether every row of the group sets every column: then replacing a row (LOAD DATA ... REPLACE)
 * is the same as upserting it.
 */
export function setsEveryColumn(group: UpsertGroup): boolean {
  return group.updates.length === columnsOf(group.table).length - 1;
}

/** Characters of LOAD DATA text encoded into one Buffer at a time (large strings encode slowly). */
const TSV_CHUNK_CHARS = 1 << 20;

/**
 * The group's rows as LOAD DATA text (one line per row, columns in table order, see tsvField).
 * Hot in a rebuild (a million rows take seconds): the column kinds are looked up once per group,
 * and the text is encoded in chunks of about TSV_CHUNK_CHARS.
 */
export function groupAsTsv(group: UpsertGroup): Buffer {
  const columns = columnsOf(group.table);
  const defaults = TABLE_SCHEMAS[group.table].defaults as Readonly<Record<string, RowValue>>;
  const names = columns.map(([c]) => c);
  const kinds = columns.map(([, type]) => (type === 'datetime(3)' ? DATETIME : type === 'boolean' ? BOOLEAN : PLAIN));
  const chunks: Buffer[] = [];
  let text = '';
  for (const row of group.rows) {
    let line = tsvField(row.key);
    for (let i = 1; i < names.length; i += 1) {
      const own = row.set[names[i]];
      const value = own === undefined ? defaults[names[i]] : own;
      const kind = kinds[i];
      line += '\t';
      if (value === null || value === undefined) line += '\\N';
      else if (kind === DATETIME) line += sqlDatetime(value as string);
      else if (kind === BOOLEAN) line += value ? '1' : '0';
      else line += tsvField(value);
    }
    text += line + '\n';
    if (text.length >= TSV_CHUNK_CHARS) {
      chunks.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  }
  if (text.length > 0) chunks.push(Buffer.from(text, 'utf8'));
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** Column kinds groupAsTsv writes differently. */
const PLAIN = 0;
const DATETIME = 1;
const BOOLEAN = 2;

/** The upsert for one table and set of updated columns, taking the rows' JSON as its one parameter. */
function upsertStatement(
  table: string,
  columns: readonly (readonly [string, SqlType])[],
  updates: readonly string[],
): (json: string) => RawBuilder<unknown> {
  const names = sql.join(columns.map(([c]) => sql.ref(c)));
  const paths = sql.join(
    columns.map(([c, type], i) => sql`${sql.ref(c)} ${sql.raw(jsonTableType(type))} PATH ${sql.lit(`$[${i}]`)}`),
  );
  const set = sql.join(updates.map((c) => sql`${sql.ref(c)} = VALUES(${sql.ref(c)})`));
  return (json) =>
    sql`INSERT INTO ${sql.table(table)} (${names}) SELECT * FROM JSON_TABLE(${json}, '$[*]' COLUMNS (${paths})) AS j ON DUPLICATE KEY UPDATE ${set}`;
}

/** The JSON_TABLE column type reading a value of a column of `type` (texts as LONGTEXT, never truncated there). */
function jsonTableType(type: SqlType): string {
  return type === 'text' ? 'longtext' : type === 'boolean' ? 'tinyint' : type;
}

/**
 * A row as a JSON array in column order (the key, then what the set holds, else the default):
 * fullRow without building it. Times go as DATETIME text, booleans as 0/1.
 */
function rowValues(
  columns: readonly (readonly [string, SqlType])[],
  defaults: Readonly<Record<string, RowValue>>,
  row: UpsertRow,
): RowValue[] {
  const values: RowValue[] = [row.key];
  for (let i = 1; i < columns.length; i += 1) {
    const [column, type] = columns[i];
    const value = column in row.set ? row.set[column] : defaults[column];
    if (value === null) values.push(null);
    else if (type === 'datetime(3)') values.push(sqlDatetime(value as string));
    else if (type === 'boolean') values.push(value ? 1 : 0);
    else values.push(value);
  }
  return values;
}
