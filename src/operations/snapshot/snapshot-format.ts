import type { SnapshotTableInfo } from '../../infra/mysql/snapshot-source';

/**
 * A node snapshot file: gzip'd NDJSON, one JSON document per line.
 *
 * ```
 * {"format":"behavior-node-snapshot","version":1,"nodeId":"n1","cluster":"behavior",...,"tables":[...]}
 * {"table":"paxos_chosen"}
 * [1,"{\"kind\":\"batch\",...}"]
 * [2,"..."]
 * {"table":"event_log"}
 * [1,1,"cmd-1","student","s-1",1,"StudentRegistered",1,"{...}","{...}"]
 * ...
 * {"end":true,"rows":{"paxos_chosen":2,"event_log":1,...},"lines":7,"sha256":"..."}
 * ```
 *
 * The header names every table, in order, with its columns, key and row count; each table's
 * rows follow its section line, each row an array in the header's column order. The trailer
 * repeats the counts and carries the SHA-256 of every byte before it (the header included), so
 * a file cut short has no trailer and a file altered anywhere fails the digest.
 */
export const SNAPSHOT_FORMAT = 'behavior-node-snapshot';
/** The version this code writes and the only one it reads. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** The first line: where the snapshot was taken and what it holds. */
export interface SnapshotHeader {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: number;
  /** The node whose database was read. */
  readonly nodeId: string;
  readonly cluster: string;
  /** Every slot up to here is chosen, and its chosen value is in the file. */
  readonly chosenWatermark: number;
  readonly appliedSlot: number;
  /** The last event position in the file. */
  readonly eventPosition: number;
  /** The newest migration the source had run (a restore refuses one it does not know). */
  readonly migration: string | null;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  readonly tables: readonly SnapshotTableInfo[];
}

/** The line that starts a table's rows. */
export interface SnapshotSection {
  readonly table: string;
}

/** The last line. */
export interface SnapshotTrailer {
  readonly end: true;
  /** Rows written per table. */
  readonly rows: Readonly<Record<string, number>>;
  /** Lines before the trailer. */
  readonly lines: number;
  /** Hex SHA-256 of every byte before the trailer line. */
  readonly sha256: string;
}

/** A snapshot file that cannot be used: not one, cut short, altered, another version, inconsistent. */
export class SnapshotFileError extends Error {
  override readonly name = 'SnapshotFileError';
}

/** Longest line a reader accepts: a row is one line, and the largest values are slot values of a few MiB. */
export const SNAPSHOT_LINE_BYTES_MAX = 256 * 1024 * 1024;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a parsed first line is a header this code reads.
 *
 * @throws SnapshotFileError naming what is wrong (another format, another version, a bad field).
 */
export function checkHeader(value: unknown): SnapshotHeader {
  if (!isObject(value) || value.format !== SNAPSHOT_FORMAT) throw new SnapshotFileError(`not a node snapshot: the first line is not a ${SNAPSHOT_FORMAT} header`);
  if (value.version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFileError(`snapshot format version ${JSON.stringify(value.version)} is not supported: this build reads version ${SNAPSHOT_FORMAT_VERSION}`);
  }
  for (const field of ['nodeId', 'cluster'] as const) {
    if (typeof value[field] !== 'string' || !ID.test(value[field] as string)) throw new SnapshotFileError(`header field ${field} is not a node or cluster id`);
  }
  for (const field of ['chosenWatermark', 'appliedSlot', 'eventPosition'] as const) {
    if (!isCount(value[field])) throw new SnapshotFileError(`header field ${field} is not a non-negative integer`);
  }
  if (value.migration !== null && typeof value.migration !== 'string') throw new SnapshotFileError('header field migration is not a string or null');
  if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt))) throw new SnapshotFileError('header field createdAt is not a time');
  if (!Array.isArray(value.tables)) throw new SnapshotFileError('header field tables is not a list');
  const names = new Set<string>();
  for (const table of value.tables as unknown[]) {
    checkTable(table);
    if (names.has(table.name)) throw new SnapshotFileError(`header lists table ${table.name} twice`);
    names.add(table.name);
  }
  return value as unknown as SnapshotHeader;
}

/**
 * Checks a parsed last line is a trailer.
 *
 * @throws SnapshotFileError when it is not.
 */
export function checkTrailer(value: Record<string, unknown>): SnapshotTrailer {
  const rows = value.rows;
  if (value.end !== true || !isObject(rows) || !Object.values(rows).every(isCount) || !isCount(value.lines) || typeof value.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(value.sha256)) {
    throw new SnapshotFileError('the trailer is malformed');
  }
  return value as unknown as SnapshotTrailer;
}

function checkTable(table: unknown): asserts table is SnapshotTableInfo {
  const ok =
    isObject(table) &&
    typeof table.name === 'string' &&
    /^[a-z0-9_]{1,64}$/.test(table.name) &&
    isCount(table.rows) &&
    isNameList(table.columns) &&
    isNameList(table.key) &&
    (table.key as string[]).every((k) => (table.columns as string[]).includes(k));
  if (!ok) throw new SnapshotFileError(`header lists a malformed table: ${JSON.stringify(table).slice(0, 200)}`);
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((c) => typeof c === 'string' && /^[a-z0-9_]{1,64}$/.test(c)) && new Set(value).size === value.length;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
