import { assert } from '../../shared/assert';

/**
 * Splits rows into consecutive chunks of at most `maxBytes` each (as measured by `bytesOf`),
 * so a multi-row statement stays under the server's max_allowed_packet. A row larger than
 * `maxBytes` travels alone. Order is kept; usually there is just one chunk.
 *
 * @example chunkByBytes(rows, (r) => Buffer.byteLength(r.value), 4 << 20)
 */
export function chunkByBytes<T>(rows: readonly T[], bytesOf: (row: T) => number, maxBytes: number): T[][] {
  assert(maxBytes > 0, `maxBytes must be positive, got ${maxBytes}`);
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const row of rows) {
    const bytes = bytesOf(row);
    if (current.length > 0 && currentBytes + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(row);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
