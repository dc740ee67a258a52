import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { MIGRATIONS } from '../../infra/mysql/migrations';
import { quote, type SnapshotTableInfo } from '../../infra/mysql/snapshot-source';
import { SnapshotLoader, createMigratedDatabase, inspectTarget, readMetaIfPresent } from '../../infra/mysql/snapshot-target';
import { ACCEPTOR_TABLES, NODE_LOCAL_TABLES, SNAPSHOT_TABLES, isSnapshotTable } from '../../infra/mysql/snapshot-tables';
import { CHOSEN_WATERMARK_META } from '../../infra/mysql/chosen-watermark';
import type { SnapshotHeader } from './snapshot-format';
import { PROGRESS_EVERY_ROWS, type SnapshotPhase, type SnapshotProgressListener } from './snapshot-progress';
import { type SnapshotScan, type SnapshotVisitor, scanSnapshot } from './snapshot-reader';

/** Where to restore a snapshot, and from what. */
export interface RestoreSpec {
  /** The MySQL server and database of the node the snapshot is restored for. */
  readonly url: string;
  readonly database: string;
  readonly nodeId: string;
  /** The cluster the node belongs to: a snapshot of another cluster is refused. */
  readonly cluster: string;
  /** Opens the snapshot's bytes; called twice (verify, then load). */
  readonly open: () => Readable;
  readonly onProgress?: SnapshotProgressListener;
}

/** Why a restore refused; the target database holds no row of the snapshot (a schema refusal leaves it created and empty). */
export type RestoreRefusal = 'not-empty' | 'other-cluster' | 'acceptor-state' | 'unknown-table' | 'unknown-migration' | 'inconsistent' | 'schema';

/** A restore refused to start: the file does not fit this node, or the target holds data. */
export class RestoreRefusedError extends Error {
  override readonly name = 'RestoreRefusedError';

  constructor(
    readonly reason: RestoreRefusal,
    message: string,
    /** The SQL that clears the way, when the target holds data. */
    readonly dropSql?: string,
  ) {
    super(message);
  }
}

/** A restore stopped part way: the target holds some of the rows and must be dropped before trying again. */
export class RestoreIncompleteError extends Error {
  override readonly name = 'RestoreIncompleteError';

  constructor(
    message: string,
    readonly dropSql: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What a restore did. */
export interface RestoreSummary {
  readonly nodeId: string;
  readonly database: string;
  /** Where the snapshot came from. */
  readonly source: { readonly nodeId: string; readonly cluster: string; readonly createdAt: string; readonly sha256: string };
  readonly chosenWatermark: number;
  readonly appliedSlot: number;
  readonly eventPosition: number;
  /** Rows restored per table, in file order. */
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
  /** Migrations run on the target (all of them for a new database). */
  readonly migrations: readonly string[];
  readonly seconds: number;
}

/** The SQL that drops `database`, for the operator to run. */
export function dropDatabaseSql(database: string): string {
  return `DROP DATABASE ${quote(database)};`;
}

/**
 * Restores a snapshot into an empty database for node `nodeId`: refuses a database that holds
 * any row, verifies the whole file first (digest, format and version, its cluster, no acceptor
 * or unknown tables), creates and migrates it as a node would, loads every table in batches,
 * and records the snapshot's chosen watermark. The acceptor state stays empty (no promise,
 * nothing accepted): the node restarts knowing slots 1..watermark chosen and has voted for
 * nothing. The node must not run meanwhile.
 *
 * @throws SnapshotFileError when the file is cut short, altered, or of another version.
 * @throws RestoreRefusedError when the file or the target does not fit (no row was written then).
 * @throws RestoreIncompleteError when loading failed part way (the database must be dropped).
 */
export async function restoreNode(spec: RestoreSpec): Promise<RestoreSummary> {
  const started = performance.now();
  // Before the file is read (a long wait to be told no), and again right before writing.
  await refuseNonEmpty(spec);
  const verified = await scanSnapshot(spec.open(), progressVisitor('verify', spec.onProgress));
  checkFits(verified.header, spec.cluster);
  await refuseNonEmpty(spec);
  const migrations = await createMigratedDatabase(spec.url, spec.database);
  const loader = await SnapshotLoader.open(spec.url, spec.database);
  try {
    checkSchema(verified.header, await loader.columns());
    const counts = await load(spec, loader, verified);
    return summaryOf(spec, verified, counts, migrations, started);
  } finally {
    await loader.close();
  }
}

/** The `paxos_meta` row an install of a snapshot sets before it empties the tables, and clears once they are whole again. */
export const SNAPSHOT_INSTALL_META = 'snapshot_install';

/** An install found the node's log as far as the snapshot's (nothing to gain), or another refusal. */
export class InstallRefusedError extends Error {
  override readonly name = 'InstallRefusedError';
}

/**
 * Installs a snapshot into the database of a node that has state but whose log is far behind:
 * the tables a snapshot holds are emptied and loaded from the file, while the acceptor's promise
 * and accepts, the node's identity and counters and its queued writes stay as they are (a node
 * never forgets what it promised). The file is verified first, as for a restore. The chosen
 * watermark is raised to the snapshot's. A `paxos_meta` row (SNAPSHOT_INSTALL_META) marks the
 * tables as incomplete from before they are emptied until they are whole; a node that finds it
 * at start must install a snapshot again before it runs (`installPending`). The node must not run
 * meanwhile.
 *
 * @throws SnapshotFileError, RestoreRefusedError as restoreNode; InstallRefusedError when the
 *   node's chosen log is not behind the snapshot's; RestoreIncompleteError when loading failed
 *   part way (the mark stays: install again).
 */
export async function installSnapshot(spec: RestoreSpec): Promise<RestoreSummary> {
  const started = performance.now();
  const verified = await scanSnapshot(spec.open(), progressVisitor('verify', spec.onProgress));
  checkFits(verified.header, spec.cluster);
  const migrations = await createMigratedDatabase(spec.url, spec.database);
  const loader = await SnapshotLoader.open(spec.url, spec.database);
  try {
    const header = verified.header;
    checkSchema(header, await loader.columns());
    const own = await loader.meta(CHOSEN_WATERMARK_META);
    if ((own ?? 0) >= header.chosenWatermark && (await loader.meta(SNAPSHOT_INSTALL_META)) === undefined) {
      throw new InstallRefusedError(`the node's chosen log reaches slot ${own}, as far as the snapshot's ${header.chosenWatermark}: nothing to install`);
    }
    await loader.setMeta(SNAPSHOT_INSTALL_META, header.chosenWatermark);
    await loader.empty(SNAPSHOT_TABLES);
    const counts = await load(spec, loader, verified, true);
    await loader.clearMeta(SNAPSHOT_INSTALL_META);
    return summaryOf(spec, verified, counts, migrations, started);
  } finally {
    await loader.close();
  }
}

/** What a restore or an install did: the snapshot's source and position, the rows per table, the migrations and the time since `started`. */
function summaryOf(spec: RestoreSpec, verified: SnapshotScan, counts: ReadonlyMap<string, number>, migrations: readonly string[], started: number): RestoreSummary {
  const header = verified.header;
  return {
    nodeId: spec.nodeId,
    database: spec.database,
    source: { nodeId: header.nodeId, cluster: header.cluster, createdAt: header.createdAt, sha256: verified.trailer.sha256 },
    chosenWatermark: header.chosenWatermark,
    appliedSlot: header.appliedSlot,
    eventPosition: header.eventPosition,
    tables: header.tables.map((t) => ({ name: t.name, rows: counts.get(t.name)! })),
    migrations,
    seconds: (performance.now() - started) / 1000,
  };
}

/** True when an install of a snapshot into `database` started and did not finish (the node must install one again before it runs). */
export async function installPending(url: string, database: string): Promise<boolean> {
  return (await readMetaIfPresent(url, database, SNAPSHOT_INSTALL_META)) !== undefined;
}

/** Refuses a target database that holds any row: a restore never mixes its rows with others. */
async function refuseNonEmpty(spec: RestoreSpec): Promise<void> {
  const target = await inspectTarget(spec.url, spec.database);
  if (target.tablesWithRows.length === 0) return;
  throw new RestoreRefusedError(
    'not-empty',
    `database ${spec.database} already holds data (in ${target.tablesWithRows.join(', ')}); a snapshot is restored only into an empty database`,
    dropDatabaseSql(spec.database),
  );
}

/**
 * Loads the file's rows (scanning it again, digest included) and checks what landed; the
 * acceptor tables must be empty after a restore (`acceptorKept`: an install keeps them as they are).
 */
async function load(spec: RestoreSpec, loader: SnapshotLoader, verified: SnapshotScan, acceptorKept = false): Promise<Map<string, number>> {
  const { header, trailer } = verified;
  const dropSql = dropDatabaseSql(spec.database);
  let counts: Map<string, number>;
  try {
    const loading = progressVisitor('load', spec.onProgress);
    const second = await scanSnapshot(spec.open(), {
      header: loading.header,
      startTable: async (table) => {
        await loader.startTable(table.name, table.columns);
        await loading.startTable!(table);
      },
      row: async (table, values) => {
        await loader.row(values);
        await loading.row!(table, values);
      },
    });
    if (second.trailer.sha256 !== trailer.sha256) throw new Error('the file changed between its verification and its loading');
    counts = await loader.finish(header.chosenWatermark, header.tables.map((t) => t.name));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RestoreIncompleteError(`loading ${spec.database} failed part way: ${why}`, dropSql, { cause: error });
  }
  const wrong = [...header.tables.map((t) => [t.name, trailer.rows[t.name]] as const), ...(acceptorKept ? [] : ACCEPTOR_TABLES.map((t) => [t, 0] as const))].filter(
    ([name, rows]) => counts.get(name) !== rows,
  );
  if (wrong.length > 0) {
    const what = wrong.map(([name, rows]) => `${name} has ${counts.get(name)} rows, not ${rows}`).join('; ');
    throw new RestoreIncompleteError(`${spec.database} does not hold what the snapshot holds: ${what}`, dropSql);
  }
  return counts;
}

/**
 * Refuses a snapshot this node must not load: another cluster's, one written after a migration
 * this build does not know, one with acceptor state or tables a snapshot never holds, one whose
 * header does not add up.
 */
function checkFits(header: SnapshotHeader, cluster: string): void {
  if (header.cluster !== cluster) {
    throw new RestoreRefusedError('other-cluster', `the snapshot is of cluster ${header.cluster}, not ${cluster} (CLUSTER_NAME)`);
  }
  const names = header.tables.map((t) => t.name);
  const acceptor = names.filter((n) => ACCEPTOR_TABLES.includes(n));
  if (acceptor.length > 0) {
    throw new RestoreRefusedError('acceptor-state', `the snapshot holds acceptor state (${acceptor.join(', ')}): a node never restarts with promises or accepts it did not make`);
  }
  const foreign = names.filter((n) => NODE_LOCAL_TABLES.includes(n) || !isSnapshotTable(n));
  if (foreign.length > 0) throw new RestoreRefusedError('unknown-table', `the snapshot holds tables a snapshot never holds: ${foreign.join(', ')}`);
  if (header.migration !== null && !Object.hasOwn(MIGRATIONS, header.migration)) {
    throw new RestoreRefusedError('unknown-migration', `the snapshot was taken after migration ${header.migration}, which this build does not know: restore it with a newer build`);
  }
  const rows = (name: string) => header.tables.find((t) => t.name === name)?.rows;
  if (rows('paxos_chosen') !== header.chosenWatermark || rows('event_log') !== header.eventPosition || header.appliedSlot !== header.chosenWatermark) {
    throw new RestoreRefusedError(
      'inconsistent',
      `the snapshot's header does not add up: chosen watermark ${header.chosenWatermark} with ${rows('paxos_chosen') ?? 'no'} chosen rows, event position ${header.eventPosition} with ${rows('event_log') ?? 'no'} events, applied slot ${header.appliedSlot}`,
    );
  }
}

/** Every table of the file must exist in the migrated target with every column the file has. */
function checkSchema(header: SnapshotHeader, columns: ReadonlyMap<string, ReadonlySet<string>>): void {
  for (const table of header.tables) {
    const present = columns.get(table.name);
    const missing = present === undefined ? ['(the table)'] : table.columns.filter((c) => !present.has(c));
    if (missing.length > 0) {
      throw new RestoreRefusedError('schema', `table ${table.name} of the snapshot does not fit the migrated database: missing ${missing.join(', ')}`);
    }
  }
}

/** A visitor that only reports progress: a table's rows every PROGRESS_EVERY_ROWS and at its end. */
function progressVisitor(phase: SnapshotPhase, onProgress: SnapshotProgressListener | undefined): SnapshotVisitor {
  let current: SnapshotTableInfo | null = null;
  let done = 0;
  return {
    header: (header) => onProgress?.({ kind: 'tables', phase, tables: header.tables.map((t) => ({ name: t.name, rows: t.rows })) }),
    startTable: (table) => {
      current = table;
      done = 0;
      onProgress?.({ kind: 'rows', phase, table: table.name, done, total: table.rows });
    },
    row: () => {
      done += 1;
      if (done === current!.rows || done % PROGRESS_EVERY_ROWS === 0) onProgress?.({ kind: 'rows', phase, table: current!.name, done, total: current!.rows });
    },
  };
}

/** Opens a snapshot file on disk, for RestoreSpec.open. */
export function snapshotFile(path: string): () => Readable {
  return () => createReadStream(path);
}
