import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Test helpers that take a snapshot file apart and put it back together, written from the
 * format's description (snapshot-format.ts) rather than with the code under test, so a crafted
 * file is exactly what the test says: only the edit is wrong, the digest and counts are right.
 */

/** A snapshot file's lines, parsed; the last one is the trailer. */
export function snapshotLines(gz: Buffer): unknown[] {
  const text = gunzipSync(gz).toString('utf8');
  if (!text.endsWith('\n')) throw new Error('a snapshot file ends with a newline');
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as unknown);
}

/** Reads a snapshot file's lines from disk. */
export function readSnapshotLines(path: string): unknown[] {
  return snapshotLines(readFileSync(path));
}

/**
 * Gzips `body` (header, sections and rows, without a trailer) with a trailer that matches it:
 * rows per section, line count, SHA-256 of every byte before the trailer.
 */
export function sealSnapshot(body: readonly unknown[]): Buffer {
  const text = body.map((line) => `${JSON.stringify(line)}\n`).join('');
  const rows: Record<string, number> = {};
  let table: string | null = null;
  for (const line of body.slice(1)) {
    if (Array.isArray(line)) rows[table!] += 1;
    else {
      table = (line as { table: string }).table;
      rows[table] = 0;
    }
  }
  const trailer = { end: true, rows, lines: body.length, sha256: createHash('sha256').update(text).digest('hex') };
  return gzipSync(`${text}${JSON.stringify(trailer)}\n`);
}

/** Writes a crafted copy of the snapshot at `from` to `to`: `edit` gets the lines without the trailer. */
export function craftSnapshot(from: string, to: string, edit: (body: unknown[]) => unknown[]): void {
  const lines = readSnapshotLines(from);
  writeFileSync(to, sealSnapshot(edit(lines.slice(0, -1))));
}
