import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'nest-commander';
import { SnapshotSourceError } from '../../infra/mysql/snapshot-source';
import { ACCEPTOR_TABLES } from '../../infra/mysql/snapshot-tables';
import { type BackupSummary, backupNode } from '../../operations/snapshot/backup';
import { nodeOption } from '../cli-config';
import { openNodeDatabase } from '../cli-connections';
import { CliFailure, CliUsageError } from '../cli-errors';
import type { CliOutput } from '../cli-output';
import { snapshotProgressReporter } from '../snapshot-progress';
import { CliCommand, EXIT_OK } from './cli-command';

interface BackupOptions {
  readonly json?: boolean;
  readonly node?: string;
  readonly out?: string;
}

/**
 * `backup --node <id> --out <file>`: writes a consistent snapshot of the node's database to a
 * gzip'd NDJSON file (see operations/snapshot): the chosen log and events up to one position,
 * the read models, checkpoints, aggregate snapshots and idempotency records of the same instant,
 * never the acceptor state. The node may keep running. Refuses to replace an existing file.
 */
@Command({ name: 'backup', description: "write a consistent snapshot of a node's database to a file (never its acceptor state)" })
export class BackupCommand extends CliCommand<BackupOptions> {
  @Option({ flags: '--node <id>', description: 'the node whose database is backed up (default: NODE_ID, else the first member)' })
  parseNode(value: string): string {
    return value;
  }

  @Option({ flags: '--out <file>', description: 'the file to write (gzip\'d NDJSON; refused when it exists)' })
  parseOut(value: string): string {
    return value;
  }

  protected async execute(out: CliOutput, options: BackupOptions): Promise<number> {
    const node = nodeOption(this.config, options.node);
    if (options.out === undefined || options.out === '') throw new CliUsageError('backup needs --out <file>');
    const file = resolve(options.out);
    if (existsSync(file)) throw new CliUsageError(`--out ${file} exists: a backup never replaces a file; choose another name`);
    if (existsSync(`${file}.partial`)) throw new CliUsageError(`${file}.partial exists: another backup is writing it, or one was killed (remove it)`);
    await (await openNodeDatabase(this.config, node, 1)).destroy(); // the server and the database are there
    const target = this.config.mysqlFor(node);
    const progress = snapshotProgressReporter(out, node);
    let summary: BackupSummary;
    try {
      summary = await backupNode({ url: target.url, database: target.database, nodeId: node, cluster: this.config.clusterName, file, onProgress: progress.update });
    } catch (error) {
      throw failure(error, file);
    } finally {
      progress.stop();
    }
    const rows = summary.tables.reduce((sum, t) => sum + t.rows, 0);
    const { header } = summary;
    const result = {
      ok: true,
      node,
      database: target.database,
      cluster: header.cluster,
      file,
      fileBytes: summary.fileBytes,
      bytes: summary.bytes,
      sha256: summary.sha256,
      format: header.format,
      version: header.version,
      chosenWatermark: header.chosenWatermark,
      appliedSlot: header.appliedSlot,
      eventPosition: header.eventPosition,
      migration: header.migration,
      createdAt: header.createdAt,
      rows,
      tables: summary.tables,
      notCopied: [...ACCEPTOR_TABLES, ...summary.notCopied],
      seconds: summary.seconds,
    };
    out.result(result, () => [
      `${node}: backed up ${target.database} to ${file} (${summary.fileBytes} bytes, sha256 ${summary.sha256})`,
      `  chosen watermark ${header.chosenWatermark}, applied slot ${header.appliedSlot}, log position ${header.eventPosition}, taken at ${header.createdAt}`,
      `  ${rows} rows in ${summary.tables.length} tables: ${summary.tables.map((t) => `${t.name} ${t.rows}`).join(', ')}`,
      `  not copied: ${result.notCopied.join(', ')} (acceptor state is never in a snapshot)`,
      `  ${summary.seconds.toFixed(1)} s; the file holds password hashes: keep it as safe as the database`,
    ]);
    return EXIT_OK;
  }
}

function failure(error: unknown, file: string): unknown {
  if (error instanceof SnapshotSourceError) return new CliFailure(`the database cannot be backed up: ${error.message}`);
  const code = (error as { code?: unknown })?.code;
  if (code === 'EEXIST') return new CliUsageError(`--out ${file} exists: a backup never replaces a file; choose another name`);
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOSPC' || code === 'EROFS') {
    return new CliFailure(`cannot write ${file}: ${(error as Error).message}`);
  }
  if (code === 'ER_TABLE_DEF_CHANGED') {
    return new CliFailure(`a table changed its definition while the snapshot read it (a projections rebuild swapped its tables in?): run the backup again`);
  }
  return error;
}
