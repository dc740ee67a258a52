import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { link, lstat, open, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { SnapshotValue } from '../../infra/mysql/snapshot-source';
import { assert } from '../../shared/assert';
import type { SnapshotHeader, SnapshotTrailer } from './snapshot-format';

/**
 * Writes a snapshot file's lines (see snapshot-format.ts) through gzip into `out`, hashing every
 * byte before the trailer. Waits for the stream to drain, so memory holds one line at a time.
 * Call `header`, then `startTable` and `row`s per table in the header's order, then `end`.
 */
export class SnapshotWriter {
  private readonly gzip = createGzip();
  private readonly hash = createHash('sha256');
  private readonly piped: Promise<void>;
  private readonly rows: Record<string, number> = {};
  private table: string | null = null;
  private lines = 0;
  private bytes = 0;

  constructor(out: Writable) {
    this.piped = pipeline(this.gzip, out);
    this.piped.catch(() => undefined); // awaited by write and end; this only keeps it from going unhandled
  }

  async header(header: SnapshotHeader): Promise<void> {
    assert(this.lines === 0, 'the header is the first line');
    await this.line(header);
  }

  async startTable(name: string): Promise<void> {
    assert(this.lines > 0 && this.rows[name] === undefined, `table ${name} starts once, after the header`);
    this.table = name;
    this.rows[name] = 0;
    await this.line({ table: name });
  }

  async row(values: readonly SnapshotValue[]): Promise<void> {
    assert(this.table !== null, 'a row belongs to a table');
    this.rows[this.table] += 1;
    await this.line(values);
  }

  /** Writes the trailer and waits until every byte reached `out`; returns the trailer. */
  async end(): Promise<SnapshotTrailer & { readonly bytes: number }> {
    const trailer: SnapshotTrailer = { end: true, rows: { ...this.rows }, lines: this.lines, sha256: this.hash.digest('hex') };
    this.gzip.end(`${JSON.stringify(trailer)}\n`);
    await this.piped;
    return { ...trailer, bytes: this.bytes };
  }

  /** Stops writing: `out` is destroyed with `error`. */
  abort(error: Error): void {
    this.gzip.destroy(error);
  }

  private async line(value: unknown): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    this.hash.update(bytes);
    this.lines += 1;
    this.bytes += bytes.length;
    if (!this.gzip.write(bytes)) await Promise.race([once(this.gzip, 'drain'), this.piped]);
  }
}

/**
 * Writes a snapshot file at `path` through `write` (which ends with `writer.end()`), never leaving a file that looks complete
 * when it is not: the bytes go to `<path>.partial` (mode 0600: the file holds password hashes),
 * are flushed to disk, and only then take the name `path` (a hard link, which refuses to replace
 * a file that appeared meanwhile). On failure the partial file is removed.
 *
 * @throws the file system's error (EEXIST when `path` or its partial file exists), or `write`'s.
 */
export async function writeSnapshotFile<T>(path: string, write: (writer: SnapshotWriter) => Promise<T>): Promise<T> {
  const partial = `${path}.partial`;
  // Refused at once rather than after the whole snapshot is read; the link checks again at the end.
  if (await lstat(path).then(() => true, () => false)) throw Object.assign(new Error(`EEXIST: ${path} exists`), { code: 'EEXIST', path });
  const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  await once(out, 'open'); // EEXIST when another backup writes the same partial file
  try {
    const writer = new SnapshotWriter(out);
    let result: T;
    try {
      result = await write(writer);
    } catch (error) {
      writer.abort(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    // The stream closed its descriptor; fsync works on any descriptor of the file.
    const handle = await open(partial, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(partial, path);
    return result;
  } finally {
    out.destroy();
    // After the link this only drops the second name; after a failure, the partial bytes.
    await unlink(partial).catch(() => undefined);
  }
}
