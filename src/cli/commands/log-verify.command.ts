import type { Kysely } from 'kysely';
import type { Database } from '../../infra/mysql/database';
import { Command, Option } from 'nest-commander';
import { VERIFY_RANGE_DEFAULT, verifyLogs } from '../../infra/mysql/log-verify';
import { openNodeDatabase } from '../cli-connections';
import { CliUsageError } from '../cli-errors';
import type { CliOutput } from '../cli-output';
import { CliCommand, EXIT_FAILURE, EXIT_OK } from './cli-command';

interface VerifyOptions {
  readonly json?: boolean;
  readonly range?: string;
}

/**
 * `log:verify`: compares the members' event logs by range checksums over the positions they all
 * hold; reports the first divergent position (exit 1) or that they agree up to position P (exit 0).
 */
@Command({ name: 'log:verify', description: "compare the nodes' event logs by range checksums; report the first divergent position" })
export class LogVerifyCommand extends CliCommand<VerifyOptions> {
  @Option({ flags: '--range <positions>', description: `positions per range checksum (default ${VERIFY_RANGE_DEFAULT})` })
  parseRange(value: string): string {
    return value;
  }

  protected async execute(out: CliOutput, options: VerifyOptions): Promise<number> {
    const range = options.range === undefined ? VERIFY_RANGE_DEFAULT : Number(options.range);
    if (!Number.isSafeInteger(range) || range < 1) throw new CliUsageError(`--range must be a positive integer, got ${options.range}`);
    if (this.config.members.length < 2) throw new CliUsageError('log:verify needs at least two members in CLUSTER_NODES');
    const dbs: Kysely<Database>[] = [];
    try {
      for (const id of this.config.members) dbs.push(await openNodeDatabase(this.config, id, 1));
      const started = performance.now();
      const verdict = await verifyLogs(this.config.members.map((nodeId, i) => ({ nodeId, db: dbs[i] })), range);
      const seconds = (performance.now() - started) / 1000;
      const agree = verdict.divergence === null;
      out.result({ ok: agree, ...verdict, seconds }, () => {
        const heads = Object.entries(verdict.heads).map(([id, head]) => `${id} at ${head}`).join(', ');
        if (agree) return [`the logs agree up to position ${verdict.agreeUpTo} (heads: ${heads}; ${verdict.ranges} range checksums in ${seconds.toFixed(2)} s)`];
        const d = verdict.divergence!;
        return [
          `the logs diverge at position ${d.position} (they agree up to ${verdict.agreeUpTo}; heads: ${heads})`,
          ...Object.entries(d.rows).map(([id, row]) =>
            row === null ? `  ${id}: no row` : `  ${id}: slot ${row.slot} command ${row.commandId} ${row.stream} ${row.type} digest ${row.digest}`,
          ),
        ];
      });
      return agree ? EXIT_OK : EXIT_FAILURE;
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  }
}
