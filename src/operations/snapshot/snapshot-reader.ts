import { createHash } from 'node:crypto';
import { type Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { SnapshotTableInfo, SnapshotValue } from '../../infra/mysql/snapshot-source';
import {
  SNAPSHOT_LINE_BYTES_MAX,
  type SnapshotHeader,
  SnapshotFileError,
  type SnapshotTrailer,
  checkHeader,
  checkTrailer,
  isObject,
} from './snapshot-format';

/** What a scan hands on, in file order; each call is awaited before the next line is read. */
export interface SnapshotVisitor {
  /** The header, checked; before any row. */
  header?(header: SnapshotHeader): Promise<void> | void;
  startTable?(table: SnapshotTableInfo): Promise<void> | void;
  row?(table: SnapshotTableInfo, values: readonly SnapshotValue[]): Promise<void> | void;
}

/** What a complete scan read. */
export interface SnapshotScan {
  readonly header: SnapshotHeader;
  readonly trailer: SnapshotTrailer;
}

/**
 * Reads a snapshot file from `input` (its gzip'd bytes) line by line, checking as it goes that
 * it is whole and unaltered: the header's format and version, each table's section in the
 * header's order with rows of the header's width and count, then the trailer's counts and the
 * SHA-256 of everything before it, and nothing after. Memory holds one line at a time.
 * Rows reach the visitor before the digest is checked at the end: to act only on a verified
 * file, scan it once without a visitor first.
 *
 * @throws SnapshotFileError on anything wrong with the file (the input's own errors pass through).
 */
export async function scanSnapshot(input: Readable, visitor: SnapshotVisitor = {}): Promise<SnapshotScan> {
  const unzipped = pipeline(input, createGunzip(), () => undefined);
  const scan = new ScanState(visitor);
  try {
    for await (const line of splitLines(unzipped)) await scan.line(line);
  } catch (error) {
    throw asFileError(error);
  } finally {
    unzipped.destroy();
  }
  return scan.result();
}

/** The scan's position in the file and what it has counted. */
class ScanState {
  private header: SnapshotHeader | null = null;
  private trailer: SnapshotTrailer | null = null;
  private readonly hash = createHash('sha256');
  private lines = 0;
  private tableIndex = -1;
  private rowsInTable = 0;
  private readonly rows: Record<string, number> = {};

  constructor(private readonly visitor: SnapshotVisitor) {}

  async line(bytes: Buffer): Promise<void> {
    if (this.trailer !== null) throw new SnapshotFileError('the file goes on after its trailer');
    const value = parse(bytes, this.lines + 1);
    if (this.header === null) {
      this.header = checkHeader(value);
      this.count(bytes);
      return this.visitor.header?.(this.header);
    }
    if (Array.isArray(value)) {
      this.count(bytes);
      return this.row(value);
    }
    if (isObject(value) && value.end === true) return this.end(checkTrailer(value));
    if (isObject(value) && typeof value.table === 'string') {
      this.count(bytes);
      return this.section(value.table);
    }
    throw new SnapshotFileError(`line ${this.lines + 1} is neither a row, a table's start nor the trailer`);
  }

  result(): SnapshotScan {
    if (this.header === null) throw new SnapshotFileError('the file is empty');
    if (this.trailer === null) throw new SnapshotFileError(`the file has no trailer: it was cut short after ${this.lines} lines`);
    return { header: this.header, trailer: this.trailer };
  }

  private count(bytes: Buffer): void {
    this.hash.update(bytes);
    this.hash.update('\n');
    this.lines += 1;
  }

  private async section(name: string): Promise<void> {
    this.closeTable();
    const next = this.header!.tables[this.tableIndex + 1];
    if (next === undefined || next.name !== name) {
      throw new SnapshotFileError(`table ${name} starts where the header has ${next === undefined ? 'no more tables' : `table ${next.name}`}`);
    }
    this.tableIndex += 1;
    this.rowsInTable = 0;
    await this.visitor.startTable?.(next);
  }

  private async row(values: unknown[]): Promise<void> {
    const table = this.header!.tables[this.tableIndex];
    if (table === undefined) throw new SnapshotFileError(`line ${this.lines} is a row before any table starts`);
    if (values.length !== table.columns.length || !values.every(isValue)) {
      throw new SnapshotFileError(`line ${this.lines} is not a row of ${table.name} (${table.columns.length} strings, numbers or nulls)`);
    }
    this.rowsInTable += 1;
    if (this.rowsInTable > table.rows) throw new SnapshotFileError(`table ${table.name} has more rows than the ${table.rows} its header counts`);
    await this.visitor.row?.(table, values as SnapshotValue[]);
  }

  private closeTable(): void {
    const table = this.header!.tables[this.tableIndex];
    if (table === undefined) return;
    if (this.rowsInTable !== table.rows) throw new SnapshotFileError(`table ${table.name} has ${this.rowsInTable} rows where its header counts ${table.rows}`);
    this.rows[table.name] = this.rowsInTable;
  }

  private end(trailer: SnapshotTrailer): void {
    this.closeTable();
    const tables = this.header!.tables;
    if (this.tableIndex !== tables.length - 1) throw new SnapshotFileError(`the trailer comes before table ${tables[this.tableIndex + 1].name}`);
    const names = Object.keys(trailer.rows);
    const same = names.length === tables.length && names.every((name) => trailer.rows[name] === this.rows[name]);
    if (!same || trailer.lines !== this.lines) {
      throw new SnapshotFileError(`the trailer counts ${JSON.stringify(trailer.rows)} in ${trailer.lines} lines; the file has ${JSON.stringify(this.rows)} in ${this.lines}`);
    }
    const digest = this.hash.digest('hex');
    if (digest !== trailer.sha256) throw new SnapshotFileError(`the file was altered: its SHA-256 is ${digest}, its trailer says ${trailer.sha256}`);
    this.trailer = trailer;
  }
}

/** The lines of `input`, without their newline; a last line without one means the file was cut. */
async function* splitLines(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of input) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const tail = chunk.subarray(start, newline);
      yield pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > SNAPSHOT_LINE_BYTES_MAX) throw new SnapshotFileError(`a line is longer than ${SNAPSHOT_LINE_BYTES_MAX} bytes`);
    }
  }
  if (pendingBytes > 0) throw new SnapshotFileError('the file ends in the middle of a line: it was cut short');
}

function parse(bytes: Buffer, lineNumber: number): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SnapshotFileError(`line ${lineNumber} is not JSON`);
  }
}

function isValue(value: unknown): boolean {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** zlib's errors (not gzip, cut short, corrupt) as file errors; the rest as they are. */
function asFileError(error: unknown): unknown {
  if (error instanceof SnapshotFileError) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    const why = code === 'Z_BUF_ERROR' ? 'it was cut short' : 'it is not gzip data or is corrupt';
    return new SnapshotFileError(`the file cannot be decompressed (${(error as Error).message}): ${why}`);
  }
  return error;
}
