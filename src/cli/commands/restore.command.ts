import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'nest-commander';
import { databaseNameForNode } from '../../infra/mysql/database-name';
import { redactMysqlUrl } from '../../infra/mysql/mysql-url';
import { SnapshotFileError } from '../../operations/snapshot/snapshot-format';
import { RestoreIncompleteError, RestoreRefusedError, type RestoreSummary, restoreNode, snapshotFile } from '../../operations/snapshot/restore';
import type { MysqlTarget } from '../cli-config';
import { CliFailure, CliUsageError } from '../cli-errors';
import type { CliOutput } from '../cli-output';
import { snapshotProgressReporter } from '../snapshot-progress';
import { CliCommand, EXIT_OK } from './cli-command';

interface RestoreOptions {
  readonly json?: boolean;
  readonly node?: string;
  readonly from?: string;
}

/** One thing the operator does after a restore. */
interface NextStep {
  readonly step: string;
  readonly command: string;
}

/** Connection errors of mysql2 and the network: the server is out of reach or refuses us. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ER_ACCESS_DENIED_ERROR', 'PROTOCOL_CONNECTION_LOST']);

/**
 * `restore --node <id> --from <file>`: verifies a backup file (digest, format version, cluster,
 * no acceptor state), refuses a target database that holds any row (printing the SQL that drops
 * it), creates the database with the node's migrations, loads every table and sets the chosen
 * watermark. The acceptor state stays empty. Prints what to do next: start the node, add it as
 * a learner. The node id need not be a member yet.
 */
@Command({ name: 'restore', description: 'restore a backup into an empty database for a node (its acceptor state stays empty)' })
export class RestoreCommand extends CliCommand<RestoreOptions> {
  @Option({ flags: '--node <id>', description: 'the node the database is restored for (required; need not be a member yet)' })
  parseNode(value: string): string {
    return value;
  }

  @Option({ flags: '--from <file>', description: 'the backup file (written by `backup`)' })
  parseFrom(value: string): string {
    return value;
  }

  protected async execute(out: CliOutput, options: RestoreOptions): Promise<number> {
    if (options.node === undefined) throw new CliUsageError('restore needs --node <id>: the node the database is restored for');
    if (options.from === undefined || options.from === '') throw new CliUsageError('restore needs --from <file>');
    const node = options.node;
    const target = this.config.mysqlFor(node);
    const file = resolve(options.from);
    if (!isFile(file)) throw new CliUsageError(`--from ${file} is not a file`);
    const progress = snapshotProgressReporter(out, node);
    let summary: RestoreSummary;
    try {
      summary = await restoreNode({ ...target, nodeId: node, cluster: this.config.clusterName, open: snapshotFile(file), onProgress: progress.update });
    } catch (error) {
      throw restoreFailure(error, file, node, target);
    } finally {
      progress.stop();
    }
    const warnings = this.warnings(summary);
    const next = this.nextSteps(summary, target);
    const rows = summary.tables.reduce((sum, t) => sum + t.rows, 0);
    const result = { ok: true, ...summary, file, rows, acceptorState: { promise: null, accepted: 0 }, warnings, next };
    out.result(result, () => [
      `${node}: restored ${file} into ${target.database} on MySQL at ${redactMysqlUrl(target.url)}`,
      `  snapshot of ${summary.source.nodeId} (cluster ${summary.source.cluster}) taken at ${summary.source.createdAt}`,
      `  ${rows} rows in ${summary.tables.length} tables; slots 1..${summary.chosenWatermark} chosen, log position ${summary.eventPosition}`,
      `  acceptor state empty: no promise, nothing accepted; ${summary.seconds.toFixed(1)} s`,
      ...warnings.map((w) => `warning: ${w}`),
      'next:',
      ...next.map((n, i) => `  ${i + 1}. ${n.step}:\n       ${n.command}`),
    ]);
    return EXIT_OK;
  }

  /**
   * A node id that voted before (it is a member in CLUSTER_NODES, or the snapshot is its own) and
   * comes back without its promises is a rolled-back acceptor: it must not vote under that id.
   */
  private warnings(summary: RestoreSummary): string[] {
    const node = summary.nodeId;
    const reasons = [
      ...(summary.source.nodeId === node ? [`the snapshot was taken from ${node} itself`] : []),
      ...(this.config.members.includes(node) ? [`${node} is a voting member in CLUSTER_NODES`] : []),
    ];
    if (reasons.length === 0) return [];
    return [
      `${reasons.join(', and ')}: the promises and accepts it made are not restored, so it must not vote as ${node} again; ` +
        'bring it back as a learner (below), or restore under a new node id',
    ];
  }

  private nextSteps(summary: RestoreSummary, target: MysqlTarget): NextStep[] {
    const node = summary.nodeId;
    const database = target.database === databaseNameForNode(node) ? '' : ` MYSQL_DATABASE=${target.database}`;
    return [
      {
        step: `start node ${node} with the cluster's settings (CLUSTER_NAME=${this.config.clusterName}, NATS_URL, JWT_SECRET as the other nodes); it knows slots 1..${summary.chosenWatermark} chosen and catches up the rest from its peers`,
        command: `NODE_ID=${node}${database} npm start`,
      },
      { step: `add it to the cluster as a learner (it votes only once promoted)`, command: `npm run cli -- cluster:add-node ${node} --learner` },
    ];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function restoreFailure(error: unknown, file: string, node: string, target: MysqlTarget): unknown {
  if (error instanceof SnapshotFileError) return new CliFailure(`${file} is refused: ${error.message}`);
  if (error instanceof RestoreRefusedError) {
    if (error.dropSql === undefined) return new CliFailure(`${file} is refused: ${error.message}`, { reason: error.reason });
    return new CliFailure(`${error.message}. If it is to be replaced, stop node ${node} and drop it first:\n  ${error.dropSql}`, { reason: error.reason, dropSql: error.dropSql });
  }
  if (error instanceof RestoreIncompleteError) {
    return new CliFailure(`${error.message}. Drop the database before trying again:\n  ${error.dropSql}`, { reason: 'incomplete', dropSql: error.dropSql });
  }
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return new CliFailure(`cannot reach MySQL at ${redactMysqlUrl(target.url)} for node ${node}: ${(error as Error).message}; check that the server runs and MYSQL_URL`);
  }
  return error;
}
