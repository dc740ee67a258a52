import { assert } from '../shared/assert';
import { type ReadModelTable, type TableRows, columnsOf } from './read-model-tables';

/**
 * A row's ISO-8601 UTC time as DATETIME(3) text. Rows hold canonical times (see eventTime), so
 * this is a slice, not a parse: batches of a hundred thousand rows pay nothing for it.
 *
 * @example sqlDatetime('2025-03-01T08:00:00.000Z') // '2025-03-01 08:00:00.000'
 */
export function sqlDatetime(iso: string): string {
  if (iso.length !== 24 || iso[10] !== 'T' || iso[23] !== 'Z')
    assert(false, `a row time must be ISO-8601 UTC with milliseconds, got ${iso}`);
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * A DATETIME read back as ISO-8601 UTC: a Date from a pool that reads UTC (createKysely's), or the
 * `YYYY-MM-DD HH:MM:SS[.mmm]` text of a pool with `dateStrings`.
 */
export function isoFromSql(value: Date | string): string {
  if (value instanceof Date) return value.toISOString();
  const [date, time] = value.split(' ');
  return `${date}T${time.length === 8 ? `${time}.000` : time.slice(0, 12)}Z`;
}

/** A nullable DATETIME read back (see isoFromSql). */
export function isoOrNullFromSql(value: Date | string | null): string | null {
  return value === null ? null : isoFromSql(value);
}

/** A BOOLEAN (TINYINT(1)) read back. */
export function booleanFromSql(value: number | boolean | string): boolean {
  return value === true || Number(value) === 1;
}

/** A BIGINT read back: mysql2 gives a number while it is safe (a string beyond, which never holds here). */
export function integerFromSql(value: number | string | bigint): number {
  const n = Number(value);
  assert(Number.isSafeInteger(n), `expected a safe integer from MySQL, got ${String(value)}`);
  return n;
}

/**
 * A row read from a read-model table as projections compute it: BOOLEANs as booleans, DATETIMEs
 * as ISO-8601 UTC strings (BIGINTs already arrive as numbers).
 */
export function rowFromSql<T extends ReadModelTable>(table: T, row: Readonly<Record<string, unknown>>): TableRows[T] {
  const out: Record<string, unknown> = {};
  for (const [column, type] of columnsOf(table)) {
    const value = row[column];
    if (value === null || value === undefined) out[column] = null;
    else if (type === 'boolean') out[column] = booleanFromSql(value as number);
    else if (type === 'datetime(3)') out[column] = isoFromSql(value as Date | string);
    else out[column] = value;
  }
  return out as unknown as TableRows[T];
}
