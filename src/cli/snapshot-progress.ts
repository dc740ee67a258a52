import { MultiBar, type SingleBar } from 'cli-progress';
import type { SnapshotPhase, SnapshotProgress, SnapshotProgressListener } from '../operations/snapshot/snapshot-progress';
import type { CliOutput } from './cli-output';

/** How often plain progress lines are written (not a terminal, or --json), besides one per finished table. */
const PLAIN_PROGRESS_EVERY_MS = 1000;

const PHASE_WORDS: Readonly<Record<SnapshotPhase, string>> = { read: 'reading', verify: 'verifying', load: 'loading' };

/** Reports a backup's or restore's progress on stderr; `stop()` once it ended, however it ended. */
export interface SnapshotProgressReporter {
  readonly update: SnapshotProgressListener;
  stop(): void;
}

/**
 * Rows done / total per table: one bar per table on a terminal (without --json), else a plain or
 * JSON line per finished table and at most one a second in between.
 */
export function snapshotProgressReporter(out: CliOutput, node: string): SnapshotProgressReporter {
  return !out.json && process.stderr.isTTY ? barsReporter(node) : linesReporter(out, node);
}

function barsReporter(node: string): SnapshotProgressReporter {
  let bars: MultiBar | null = null;
  const byTable = new Map<string, SingleBar>();
  const stop = () => {
    bars?.stop();
    bars = null;
    byTable.clear();
  };
  return {
    update: (p: SnapshotProgress) => {
      if (p.kind === 'tables') {
        stop();
        const width = Math.max(0, ...p.tables.map((t) => t.name.length));
        bars = new MultiBar({
          format: `${node} ${PHASE_WORDS[p.phase]} {table} [{bar}] {value}/{total} rows`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        });
        for (const t of p.tables) byTable.set(t.name, bars.create(t.rows, 0, { table: t.name.padEnd(width) }));
        return;
      }
      byTable.get(p.table)?.update(p.done);
    },
    stop,
  };
}

function linesReporter(out: CliOutput, node: string): SnapshotProgressReporter {
  let last = 0;
  return {
    update: (p: SnapshotProgress) => {
      if (p.kind === 'tables') {
        const rows = p.tables.reduce((sum, t) => sum + t.rows, 0);
        return out.note({ event: 'progress', node, ...p }, `${node} ${PHASE_WORDS[p.phase]} ${p.tables.length} tables, ${rows} rows`);
      }
      const now = Date.now();
      if (p.done !== p.total && now - last < PLAIN_PROGRESS_EVERY_MS) return;
      last = now;
      out.note({ event: 'progress', node, ...p }, `${node} ${PHASE_WORDS[p.phase]} ${p.table}: ${p.done}/${p.total} rows`);
    },
    stop: () => undefined,
  };
}
