import { Command, Option } from 'nest-commander';
import { readModelDb, readProjectionStatus, type ProjectionStatus } from '../../projections';
import { nodeOption } from '../cli-config';
import { openNodeDatabase } from '../cli-connections';
import { CliFailure } from '../cli-errors';
import { type CliOutput, table } from '../cli-output';
import { CliCommand, EXIT_FAILURE, EXIT_OK } from './cli-command';

interface StatusOptions {
  readonly json?: boolean;
  readonly node?: string;
}

/** One node's projections, or why it could not be read. */
interface NodeProjections {
  readonly node: string;
  readonly status: ProjectionStatus | null;
  readonly error?: string;
}

/**
 * `projections:status [--node <id>]`: each projection's position, the log head and the lag, per
 * node, and the school time zone `student_daily_scores` counts days in.
 */
@Command({ name: 'projections:status', description: "each projection's position, the log head and the lag (every node, or --node)" })
export class ProjectionsStatusCommand extends CliCommand<StatusOptions> {
  @Option({ flags: '--node <id>', description: 'only this node (default: every member of CLUSTER_NODES)' })
  parseNode(value: string): string {
    return value;
  }

  protected async execute(out: CliOutput, options: StatusOptions): Promise<number> {
    const nodes = options.node === undefined ? this.config.members : [nodeOption(this.config, options.node)];
    const results: NodeProjections[] = await Promise.all(nodes.map((node) => this.read(node)));
    out.result({ ok: results.every((r) => r.status !== null), nodes: results }, () => {
      const rows: (string | number)[][] = [['node', 'projection', 'checkpoint', 'position', 'head', 'lag', 'days in']];
      const lines: string[] = [];
      for (const r of results) {
        if (r.status === null) {
          lines.push(`${r.node}: ${r.error}`);
          continue;
        }
        for (const p of r.status.projections) rows.push([r.node, p.name, p.checkpoint, p.position, r.status.head, p.lag, p.timeZone ?? '-']);
        for (const b of r.status.rebuilds) rows.push([r.node, `(rebuild not swapped in)`, b.checkpoint, b.position, r.status.head, b.lag, '-']);
      }
      return [...table(rows), ...lines];
    });
    return results.every((r) => r.status !== null) ? EXIT_OK : EXIT_FAILURE;
  }

  private async read(node: string): Promise<NodeProjections> {
    try {
      const db = await openNodeDatabase(this.config, node, 1);
      try {
        return { node, status: await readProjectionStatus(readModelDb(db)) };
      } finally {
        await db.destroy();
      }
    } catch (error) {
      if (error instanceof CliFailure) return { node, status: null, error: error.message };
      throw error;
    }
  }
}
