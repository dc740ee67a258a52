import { SingleBar } from 'cli-progress';
import { Command, Option } from 'nest-commander';
import {
  ProjectionRebuild,
  READ_MODEL_PROJECTIONS,
  REBUILD_BATCH_EVENTS_DEFAULT,
  REBUILD_WRITERS_DEFAULT,
  RebuildBusyError,
  RebuildInterruptedError,
  type RebuildProgress,
  UnknownProjectionError,
  readModelDb,
  selectProjections,
} from '../../projections';
import { nodeOption } from '../cli-config';
import { openNodeBulkLoader, openNodeDatabase } from '../cli-connections';
import { CliFailure, CliUsageError } from '../cli-errors';
import type { CliOutput } from '../cli-output';
import { CliCommand, EXIT_OK } from './cli-command';

interface RebuildCommandOptions {
  readonly json?: boolean;
  readonly node?: string;
  readonly projection?: string;
  readonly batch?: string;
  readonly writers?: string;
}

/** How often plain progress lines are written when stderr is not a terminal (or with --json). */
const PLAIN_PROGRESS_EVERY_MS = 1000;

/**
 * `projections:rebuild [--projection <name>] [--node <id>]`: replays the node's log into shadow
 * tables and swaps them in (see ProjectionRebuild), days counted in SCHOOL_TIME_ZONE (as the node
 * counts them), with a progress bar on a terminal, plain lines otherwise. Ctrl+C (or SIGTERM) stops it after the current batch; running it again resumes.
 */
@Command({
  name: 'projections:rebuild',
  description: "rebuild read models from the node's log into shadow tables and swap them in, without downtime",
})
export class ProjectionsRebuildCommand extends CliCommand<RebuildCommandOptions> {
  @Option({ flags: '--node <id>', description: 'the node whose database is rebuilt (default: NODE_ID, else the first member)' })
  parseNode(value: string): string {
    return value;
  }

  @Option({ flags: '--projection <name>', description: `one read model: ${READ_MODEL_PROJECTIONS.map((p) => p.name).join(', ')} (default: all)` })
  parseProjection(value: string): string {
    return value;
  }

  @Option({ flags: '--batch <events>', description: `events per batch (default ${REBUILD_BATCH_EVENTS_DEFAULT})` })
  parseBatch(value: string): string {
    return value;
  }

  @Option({ flags: '--writers <n>', description: `connections writing each batch (default ${REBUILD_WRITERS_DEFAULT})` })
  parseWriters(value: string): string {
    return value;
  }

  protected async execute(out: CliOutput, options: RebuildCommandOptions): Promise<number> {
    const node = nodeOption(this.config, options.node);
    try {
      selectProjections(options.projection, this.config.schoolTimeZone);
    } catch (error) {
      if (error instanceof UnknownProjectionError) throw new CliUsageError(error.message);
      throw error;
    }
    const batchEvents = integerOption('--batch', options.batch, REBUILD_BATCH_EVENTS_DEFAULT, 1, 200_000);
    const writers = integerOption('--writers', options.writers, REBUILD_WRITERS_DEFAULT, 1, 16);
    const db = await openNodeDatabase(this.config, node, writers + 3);
    const bulkLoader = await openNodeBulkLoader(this.config, node).catch(async (error: unknown) => {
      await db.destroy();
      throw error;
    });
    if (bulkLoader === null) out.note({ event: 'notice', message: 'local_infile is off' }, 'the server has local_infile off: rebuilding with upserts only (slower)');
    const abort = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (abort.signal.aborted) process.exit(130); // a second Ctrl+C does not wait for the batch
      out.note({ event: 'interrupting', signal }, `${signal}: stopping after the current batch (Ctrl+C again to quit at once)`);
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = progressReporter(out, node);
    try {
      const result = await new ProjectionRebuild(readModelDb(db), {
        projection: options.projection,
        timeZone: this.config.schoolTimeZone,
        batchEvents,
        writers,
        bulkLoader,
        signal: abort.signal,
        onProgress: progress.update,
      }).run();
      progress.stop();
      out.result({ ok: true, node, ...result }, () => [
        `${node}: rebuilt ${result.projections.join(', ')} up to position ${result.position}` +
          (result.resumed ? ` (resumed at ${result.resumedFrom})` : '') +
          (result.timeZone !== null ? `, days in ${result.timeZone}` : ''),
        `  ${result.events} events in ${result.seconds.toFixed(1)} s = ${result.eventsPerSecond} events/s; the live projector waited ${result.swapPauseMs} ms for the swap`,
      ]);
      return EXIT_OK;
    } catch (error) {
      progress.stop();
      if (error instanceof RebuildInterruptedError || error instanceof RebuildBusyError) throw new CliFailure(error.message);
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await bulkLoader?.close();
      await db.destroy();
    }
  }
}

function integerOption(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new CliUsageError(`${flag} must be an integer in ${min}..${max}, got ${value}`);
  return n;
}

/** A progress bar on a terminal (without --json), else a plain or JSON line at most once a second. */
function progressReporter(out: CliOutput, node: string): { update: (p: RebuildProgress) => void; stop: () => void } {
  if (!out.json && process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${node} {phase} [{bar}] {value}/{total} events | {rate} events/s | ETA {eta_formatted}`,
      stream: process.stderr,
      etaBuffer: 50,
      hideCursor: true,
    });
    let started = false;
    return {
      update: (p) => {
        const payload = { phase: p.phase, rate: p.eventsPerSecond };
        if (!started) {
          bar.start(p.total, p.done, payload);
          started = true;
        } else {
          bar.setTotal(p.total);
          bar.update(p.done, payload);
        }
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update: (p) => {
      const now = Date.now();
      if (p.phase === 'replay' && now - last < PLAIN_PROGRESS_EVERY_MS) return;
      last = now;
      out.note(
        { event: 'progress', node, ...p },
        `${node} ${p.phase}: ${p.done}/${p.total} events, ${p.eventsPerSecond} events/s, ETA ${p.etaSeconds ?? '?'} s`,
      );
    },
    stop: () => undefined,
  };
}
