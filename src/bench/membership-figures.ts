import { assert } from '../shared/assert';
import { percentile } from './percentile';

/** One write: when it completed (or failed) and how long it took, in ms of one clock. */
export interface WriteSample {
  readonly endMs: number;
  readonly latencyMs: number;
  /** True when the write failed (an error answer or no answer in time). */
  readonly failed?: boolean;
}

/** The writes of one window of time. */
export interface WindowFigures {
  readonly seconds: number;
  /** Writes that completed in the window. */
  readonly writes: number;
  /** Writes that failed in the window: counted in neither `writes` nor the latencies. */
  readonly errors: number;
  readonly writesPerSecond: number;
  /** NaN when no write completed in the window. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Writes/s, p50 and p99 of the writes that completed in `[fromMs, toMs)`, and the failures.
 *
 * @example windowFigures([{ endMs: 10, latencyMs: 2 }, { endMs: 1500, latencyMs: 4 }], 0, 1000)
 * // { seconds: 1, writes: 1, errors: 0, writesPerSecond: 1, p50Ms: 2, p99Ms: 2 }
 */
export function windowFigures(samples: readonly WriteSample[], fromMs: number, toMs: number): WindowFigures {
  assert(toMs >= fromMs, `a window ends after it starts, got ${fromMs}..${toMs}`);
  const inWindow = samples.filter((s) => s.endMs >= fromMs && s.endMs < toMs);
  const latencies = Float64Array.from(inWindow.filter((s) => s.failed !== true).map((s) => s.latencyMs)).sort();
  const seconds = (toMs - fromMs) / 1000;
  return {
    seconds,
    writes: latencies.length,
    errors: inWindow.length - latencies.length,
    writesPerSecond: seconds > 0 ? latencies.length / seconds : 0,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** A progress note of a membership command (`--json`, on stderr), with when it arrived. */
export interface StepNote {
  readonly atMs: number;
  readonly step: string;
  readonly state?: string;
}

/** One phase of a membership command: from `fromMs` to `toMs`. */
export interface Phase {
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The phases of a membership command from its progress notes, covering its whole run from
 * `startMs` to `endMs`: `start` until the first change is asked (the CLI starting, finding the
 * leader); each change (add-learner, promote, remove) from its `asking` note to its `in-force`
 * note; between an add-learner in force and the next change asked the learner's `catch-up`
 * (`after <change>` between others); `end` after the last change in force until the command
 * exits (the whole rest, should a change never come in force).
 *
 * @example phasesOf([{ atMs: 5, step: 'add-learner', state: 'asking' }, { atMs: 9, step: 'add-learner', state: 'in-force' }], 0, 10)
 * // [{ name: 'start', fromMs: 0, toMs: 5 }, { name: 'add-learner', fromMs: 5, toMs: 9 }, { name: 'end', fromMs: 9, toMs: 10 }]
 */
export function phasesOf(notes: readonly StepNote[], startMs: number, endMs: number): Phase[] {
  assert(endMs >= startMs, `a command ends after it starts, got ${startMs}..${endMs}`);
  const phases: Phase[] = [];
  let asked: StepNote | null = null;
  let lastInForce: StepNote | null = null;
  for (const note of notes) {
    if (note.state === 'asking') {
      if (asked === null) {
        if (lastInForce === null) phases.push({ name: 'start', fromMs: startMs, toMs: note.atMs });
        else phases.push({ name: lastInForce.step === 'add-learner' ? 'catch-up' : `after ${lastInForce.step}`, fromMs: lastInForce.atMs, toMs: note.atMs });
      }
      // A change asked again (e.g. after finding another leader) keeps its first ask.
      if (asked === null || asked.step !== note.step) asked = note;
    } else if (note.state === 'in-force' && asked !== null && asked.step === note.step) {
      phases.push({ name: note.step, fromMs: asked.atMs, toMs: note.atMs });
      asked = null;
      lastInForce = note;
    }
  }
  const last = phases[phases.length - 1];
  phases.push({ name: 'end', fromMs: last?.toMs ?? startMs, toMs: endMs });
  return phases;
}

/**
 * An error message with its ids (UUIDs, long hex or base64url runs) taken out, so that errors of
 * one kind count together.
 *
 * @example errorKind('command 995c3abf-25a2-4baf-ab64-1634d8ec5dde timed out') // 'command <id> timed out'
 */
export function errorKind(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<id>')
    .slice(0, 300);
}

/**
 * `count` per second over `seconds`, rounded; 0 when no time passed.
 *
 * @example ratePerSecond(1500, 3) // 500
 */
export function ratePerSecond(count: number, seconds: number): number {
  return seconds > 0 ? Math.round(count / seconds) : 0;
}
