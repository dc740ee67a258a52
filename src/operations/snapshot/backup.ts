import { stat } from 'node:fs/promises';
import { ConsistentSnapshot } from '../../infra/mysql/snapshot-source';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type SnapshotHeader } from './snapshot-format';
import type { SnapshotProgressListener } from './snapshot-progress';
import { type SnapshotWriter, writeSnapshotFile } from './snapshot-writer';

/** Which node's database to snapshot, and how. */
export interface SnapshotSourceSpec {
  /** The node's MySQL server and database. */
  readonly url: string;
  readonly database: string;
  readonly nodeId: string;
  readonly cluster: string;
  /** Copy the writes queued on the node (default true: a backup keeps them; a snapshot for a peer passes false). */
  readonly queuedCommands?: boolean;
  readonly onProgress?: SnapshotProgressListener;
  /** The clock of `createdAt` (default the system's). */
  readonly now?: () => Date;
}

/** What a snapshot written to a stream holds. */
export interface SnapshotWritten {
  readonly header: SnapshotHeader;
  /** Rows per table, in file order. */
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
  /** Tables of the database left out (neither acceptor state, nor node bookkeeping, nor known to snapshots). */
  readonly notCopied: readonly string[];
  readonly sha256: string;
  /** Uncompressed bytes of the file. */
  readonly bytes: number;
}

/** What `backupNode` wrote. */
export interface BackupSummary extends SnapshotWritten {
  readonly file: string;
  /** Bytes of the gzip'd file on disk. */
  readonly fileBytes: number;
  readonly seconds: number;
}

/**
 * Reads node `nodeId`'s database in one consistent snapshot and writes it through `writer`:
 * the chosen log and the event log up to the snapshot's position, the idempotency records, read
 * models, checkpoints and aggregate snapshots as they were at that instant; never the
 * acceptor's promise or accepts. The node may keep running and writing meanwhile. Ends the writer.
 *
 * @throws SnapshotSourceError when the database cannot give a clean snapshot; mysql2's errors.
 */
export async function writeNodeSnapshot(spec: SnapshotSourceSpec, writer: SnapshotWriter): Promise<SnapshotWritten> {
  const snapshot = await openNodeSnapshot(spec);
  try {
    return await writeSnapshot(snapshot, spec, writer);
  } finally {
    await snapshot.close();
  }
}

/**
 * Opens the consistent snapshot of `spec`'s database: its instant is now, however long the
 * writing takes. For a caller that wants the position first (to tell a peer what is coming).
 * Close it when done.
 */
export function openNodeSnapshot(spec: Pick<SnapshotSourceSpec, 'url' | 'database' | 'queuedCommands'>): Promise<ConsistentSnapshot> {
  return ConsistentSnapshot.open(spec.url, spec.database, { queuedCommands: spec.queuedCommands ?? true });
}

/** Writes an open snapshot through `writer` (see writeNodeSnapshot) and ends the writer; the snapshot stays open. */
export async function writeSnapshot(
  snapshot: ConsistentSnapshot,
  spec: Pick<SnapshotSourceSpec, 'nodeId' | 'cluster' | 'onProgress' | 'now'>,
  writer: SnapshotWriter,
): Promise<SnapshotWritten> {
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    nodeId: spec.nodeId,
    cluster: spec.cluster,
    ...snapshot.position,
    createdAt: (spec.now ?? (() => new Date()))().toISOString(),
    tables: snapshot.tables,
  };
  await writer.header(header);
  spec.onProgress?.({ kind: 'tables', phase: 'read', tables: header.tables.map((t) => ({ name: t.name, rows: t.rows })) });
  for (const table of snapshot.tables) {
    await writer.startTable(table.name);
    let done = 0;
    spec.onProgress?.({ kind: 'rows', phase: 'read', table: table.name, done, total: table.rows });
    for await (const page of snapshot.pages(table)) {
      for (const row of page) await writer.row(row);
      done += page.length;
      spec.onProgress?.({ kind: 'rows', phase: 'read', table: table.name, done, total: table.rows });
    }
  }
  const trailer = await writer.end();
  return {
    header,
    tables: header.tables.map((t) => ({ name: t.name, rows: trailer.rows[t.name] })),
    notCopied: snapshot.notCopied,
    sha256: trailer.sha256,
    bytes: trailer.bytes,
  };
}

/**
 * `backup`: writes a snapshot of the node's database to `file` (see writeNodeSnapshot and
 * writeSnapshotFile: a failed backup leaves no file behind).
 *
 * @throws EEXIST when `file` exists; SnapshotSourceError; mysql2's and the file system's errors.
 */
export async function backupNode(spec: SnapshotSourceSpec & { readonly file: string }): Promise<BackupSummary> {
  const started = performance.now();
  const written = await writeSnapshotFile(spec.file, (writer) => writeNodeSnapshot(spec, writer));
  const { size } = await stat(spec.file);
  return { ...written, file: spec.file, fileBytes: size, seconds: (performance.now() - started) / 1000 };
}
