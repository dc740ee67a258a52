import { assert } from '../shared/assert';
import { percentile } from './percentile';

/** Caps how many latencies one run keeps (8 bytes each); a duration-bound run stops there too. */
export const latencySamplesMax = 10_000_000;
/** The largest in-flight count `runLoad` accepts: one worker per outstanding operation. */
export const inFlightMax = 100_000;

/** One run of a closed-loop load: either a number of operations or a duration. */
export type LoadOptions = {
  /** How many operations are outstanding at every moment (except while draining at the end). */
  readonly inFlight: number;
  /** Operation `i` (0-based, unique across warmup and measurement). A rejection counts as an error. */
  readonly send: (i: number) => Promise<void>;
  /** Operations run first at the same in-flight and left out of every figure; default 0. */
  readonly warmup?: number;
  /**
   * Ends the run early: once aborted, no operation is started, in the warmup or after it (those
   * outstanding are awaited and counted). For a load that lasts as long as something else does.
   */
  readonly signal?: AbortSignal;
} & (
  | { readonly total: number; readonly durationMs?: undefined }
  | { readonly durationMs: number; readonly total?: undefined }
);

/** What a run measured; latencies are of successful operations only. */
export interface LoadResult {
  /** Operations that succeeded. */
  readonly ops: number;
  /** Operations whose `send` rejected; they are counted in neither `ops` nor the latencies. */
  readonly errors: number;
  /** From the first measured send to the last measured completion. */
  readonly seconds: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Runs a closed loop: `inFlight` workers each send, await, and send again, so exactly `inFlight`
 * operations are outstanding until the budget (`total` operations, or `durationMs`) runs out.
 * Errors are counted, never thrown; a warmup error is ignored.
 *
 * @example await runLoad({ inFlight: 64, total: 20_000, send: (i) => publish(i) })
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const warmup = options.warmup ?? 0;
  assert(
    Number.isInteger(options.inFlight) && options.inFlight >= 1 && options.inFlight <= inFlightMax,
    `inFlight must be an integer in 1..${inFlightMax}, got ${options.inFlight}`,
  );
  assert(Number.isInteger(warmup) && warmup >= 0, `warmup must be a non-negative integer, got ${warmup}`);
  if (warmup > 0) await runPhase(options, { first: 0, budget: { total: warmup } });
  const budget = options.total !== undefined ? { total: options.total } : { durationMs: options.durationMs };
  return runPhase(options, { first: warmup, budget });
}

interface Phase {
  /** The index of this phase's first operation. */
  readonly first: number;
  readonly budget: { readonly total: number } | { readonly durationMs: number };
}

async function runPhase(options: LoadOptions, phase: Phase): Promise<LoadResult> {
  const total = 'total' in phase.budget ? phase.budget.total : latencySamplesMax;
  assert(
    Number.isInteger(total) && total >= 0 && total <= latencySamplesMax,
    `total must be 0..${latencySamplesMax}, got ${total}`,
  );
  const durationMs = 'durationMs' in phase.budget ? phase.budget.durationMs : Infinity;
  assert(durationMs > 0, `durationMs must be positive, got ${durationMs}`);
  const latenciesMs: number[] = [];
  let started = 0;
  let errors = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + (Number.isFinite(durationMs) ? BigInt(Math.round(durationMs * 1e6)) : 0n);
  const more = (): boolean => started < total && options.signal?.aborted !== true && (!Number.isFinite(durationMs) || process.hrtime.bigint() < deadline);
  const worker = async (): Promise<void> => {
    while (more()) {
      const i = phase.first + started++;
      const sentAt = process.hrtime.bigint();
      try {
        await options.send(i);
        latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.inFlight, total) }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return summarize(latenciesMs, errors, seconds);
}

function summarize(latenciesMs: number[], errors: number, seconds: number): LoadResult {
  const sorted = Float64Array.from(latenciesMs).sort();
  const ops = sorted.length;
  return {
    ops,
    errors,
    seconds,
    opsPerSec: seconds > 0 ? ops / seconds : 0,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: ops > 0 ? sorted[ops - 1] : Number.NaN,
  };
}
