import { type Kysely, sql } from 'kysely';
import type { Database } from './database';
import { assert } from '../../shared/assert';

/** Positions one range checksum covers unless configured. */
export const VERIFY_RANGE_DEFAULT = 10_000;

/** One node's copy of the log, as `log:verify` reads it. */
export interface LogCopy {
  readonly nodeId: string;
  readonly db: Kysely<Database>;
}

/** A range's checksum in one copy: rows, and two independent digests of every column of each row. */
export interface RangeChecksum {
  readonly rows: number;
  readonly crcSum: string;
  readonly md5Xor: string;
}

/** The verdict of `log:verify`. */
export interface LogVerification {
  /** Every copy's head (its last position). */
  readonly heads: Readonly<Record<string, number>>;
  /** The positions every copy holds: 1..common. */
  readonly common: number;
  /** The copies agree on every position up to here (equal to `common` when they agree). */
  readonly agreeUpTo: number;
  /** The first position where the copies differ, or null. */
  readonly divergence: {
    readonly position: number;
    /** Each copy's row at that position (null where it has none). */
    readonly rows: Readonly<Record<string, EventLogRowView | null>>;
  } | null;
  /** Range checksums computed per copy. */
  readonly ranges: number;
}

/** A row of `event_log`, as `log:verify` shows a divergent one. */
export interface EventLogRowView {
  readonly position: number;
  readonly slot: number;
  readonly commandId: string;
  readonly stream: string;
  readonly type: string;
  readonly digest: string;
}

/**
 * One row's text for the digests: every column, separated by a byte no column holds unescaped
 * (0x1f, unit separator), with NULL-free columns (the table has no nullable column).
 */
const ROW_TEXT = sql`CONCAT_WS(CHAR(31), position, slot, command_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata)`;

/** The checksum of positions `from..to` (inclusive) of one copy. */
export async function rangeChecksum(db: Kysely<Database>, from: number, to: number): Promise<RangeChecksum> {
  const { rows } = await sql<{ rows: number | string; crc_sum: string | number | null; md5_xor: string | number | null }>`
    SELECT COUNT(*) AS \`rows\`,
           CAST(COALESCE(SUM(CRC32(${ROW_TEXT})), 0) AS CHAR) AS crc_sum,
           CAST(COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5(${ROW_TEXT}), 16), 16, 10) AS UNSIGNED)), 0) AS CHAR) AS md5_xor
    FROM event_log WHERE position BETWEEN ${from} AND ${to}`.execute(db);
  const row = rows[0];
  return { rows: Number(row.rows), crcSum: String(row.crc_sum ?? '0'), md5Xor: String(row.md5_xor ?? '0') };
}

/** The last position of a copy (0 when empty). */
export async function logHead(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ head: number | string | null }>`SELECT MAX(position) AS head FROM event_log`.execute(db);
  return rows[0]?.head == null ? 0 : Number(rows[0].head);
}

/**
 * Compares the copies of the event log position by position over the positions they all hold:
 * checksums of ranges of `rangeSize` positions, and inside the first range that differs a
 * bisection down to the first divergent position. Reads each range once per copy, in parallel
 * across copies.
 *
 * @example const verdict = await verifyLogs([{ nodeId: 'n1', db: db1 }, { nodeId: 'n2', db: db2 }]);
 */
export async function verifyLogs(copies: readonly LogCopy[], rangeSize = VERIFY_RANGE_DEFAULT): Promise<LogVerification> {
  assert(copies.length >= 2, `log:verify compares at least two copies, got ${copies.length}`);
  assert(Number.isSafeInteger(rangeSize) && rangeSize >= 1, `rangeSize must be a positive integer, got ${rangeSize}`);
  const heads = await Promise.all(copies.map((c) => logHead(c.db)));
  const common = Math.min(...heads);
  let ranges = 0;
  const differs = async (from: number, to: number): Promise<boolean> => {
    const sums = await Promise.all(copies.map((c) => rangeChecksum(c.db, from, to)));
    ranges += 1;
    const first = JSON.stringify(sums[0]);
    return sums.some((s) => JSON.stringify(s) !== first);
  };
  let divergent: number | null = null;
  for (let from = 1; from <= common && divergent === null; from += rangeSize) {
    let lo = from;
    let hi = Math.min(common, from + rangeSize - 1);
    if (!(await differs(lo, hi))) continue;
    // The first divergent position is in lo..hi: halve until one position is left.
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (await differs(lo, mid)) hi = mid;
      else lo = mid + 1;
    }
    divergent = lo;
  }
  const headsByNode = Object.fromEntries(copies.map((c, i) => [c.nodeId, heads[i]]));
  if (divergent === null) return { heads: headsByNode, common, agreeUpTo: common, divergence: null, ranges };
  const rows = await Promise.all(copies.map((c) => rowView(c.db, divergent)));
  return {
    heads: headsByNode,
    common,
    agreeUpTo: divergent - 1,
    divergence: { position: divergent, rows: Object.fromEntries(copies.map((c, i) => [c.nodeId, rows[i]])) },
    ranges,
  };
}

async function rowView(db: Kysely<Database>, position: number): Promise<EventLogRowView | null> {
  const { rows } = await sql<{ position: number; slot: number; command_id: string; stream_type: string; stream_id: string; type: string; digest: string }>`
    SELECT position, slot, command_id, stream_type, stream_id, type, MD5(${ROW_TEXT}) AS digest
    FROM event_log WHERE position = ${position}`.execute(db);
  const row = rows[0];
  if (row === undefined) return null;
  return {
    position: Number(row.position),
    slot: Number(row.slot),
    commandId: row.command_id,
    stream: `${row.stream_type}/${row.stream_id}`,
    type: row.type,
    digest: row.digest,
  };
}
