import type { BenchRow } from './report';

/** One of the write path's targets, measured against a floor of the same run. */
export interface TargetRatio {
  readonly name: string;
  /** The measured ratio or figure; null when a run it needs did not take place. */
  readonly value: number | null;
  /** `value` must be at least (`min`) or at most (`max`) this. */
  readonly min?: number;
  readonly max?: number;
  readonly met: boolean | null;
}

/** A row as the targets read it: throughput, latency and CPU (cores, by component). */
export type TargetRow = BenchRow & { readonly cpu: Record<string, number> };

/** What the targets are computed from. */
export interface TargetInputs {
  readonly rows: readonly TargetRow[];
  /** Microseconds of mariadbd CPU per write of the MariaDB floor. */
  readonly mariadbFloorMicros: number | null;
  readonly rebuildEventsPerSecond: number | null;
  readonly liveProjectorEventsPerSecond: number | null;
  /** Node processes measured in the `nodes` CPU group (3). */
  readonly nodes: number;
}

export const LOG_APPEND = 'behavior (Paxos, fsync)';
export const REST_MODIFY = 'scores.modify (REST, full stack)';
export const BARE_ROUND = 'bare round (floor)';
export const JETSTREAM = 'jetstream';

/**
 * Every ratio of the write path's targets, from one bench run's rows (pure).
 *
 * @example targetRatios({ rows, mariadbFloorMicros: 36, rebuildEventsPerSecond: null, liveProjectorEventsPerSecond: null, nodes: 3 })
 */
export function targetRatios(input: TargetInputs): TargetRatio[] {
  const row = (system: string, inFlight: number) => input.rows.find((r) => r.system === system && r.inFlight === inFlight);
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? null : a / b);
  const micros = (r: TargetRow | undefined, group: string) => (r === undefined || r.opsPerSec === 0 || r.cpu[group] === undefined ? undefined : (r.cpu[group] * 1e6) / r.opsPerSec);
  const perNode = (value: number | undefined) => (value === undefined ? undefined : value / input.nodes);
  return [
    atLeast('log append ops/s at 512 / JetStream R3 at 512', ratio(row(LOG_APPEND, 512)?.opsPerSec, row(JETSTREAM, 512)?.opsPerSec), 0.6),
    atMost('log append p50 at 1 / bare round p50', ratio(row(LOG_APPEND, 1)?.p50Ms, row(BARE_ROUND, 1)?.p50Ms), 1.3),
    atLeast('REST scores.modify ops/s at 64 / log append at 64', ratio(row(REST_MODIFY, 64)?.opsPerSec, row(LOG_APPEND, 64)?.opsPerSec), 0.5),
    atMost('REST scores.modify p50 at 1 / log append p50 at 1', ratio(row(REST_MODIFY, 1)?.p50Ms, row(LOG_APPEND, 1)?.p50Ms), 2),
    atMost('nodes CPU us per write at 512 (all nodes)', micros(row(LOG_APPEND, 512), 'nodes') ?? null, 80),
    atMost('mariadbd CPU per write at 512 / its floor', ratio(micros(row(LOG_APPEND, 512), 'mariadbd'), input.mariadbFloorMicros ?? undefined), 1.5),
    atMost('log append: CPU us per write at 1, per node', perNode(micros(row(LOG_APPEND, 1), 'nodes')) ?? null, 1000),
    atMost('REST scores.modify: CPU us per write at 1, per node', perNode(micros(row(REST_MODIFY, 1), 'nodes')) ?? null, 1000),
    atLeast('projection rebuild events/s', input.rebuildEventsPerSecond, 150_000),
    atLeast('live projector events/s', input.liveProjectorEventsPerSecond, 100_000),
  ];
}

/** The targets as lines: name, value, bound and whether it is met. */
export function formatTargets(targets: readonly TargetRatio[]): string {
  return targets
    .map((t) => {
      const bound = t.min !== undefined ? `>= ${t.min}` : `<= ${t.max}`;
      const value = t.value === null ? '-' : t.value >= 100 ? t.value.toFixed(0) : t.value.toFixed(2);
      const verdict = t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED';
      return `  ${t.name}: ${value} (target ${bound}) ${verdict}`;
    })
    .join('\n');
}

function atLeast(name: string, value: number | null, min: number): TargetRatio {
  return { name, value: round(value), min, met: value === null ? null : value >= min };
}

function atMost(name: string, value: number | null, max: number): TargetRatio {
  return { name, value: round(value), max, met: value === null ? null : value <= max };
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
