import { BARE_ROUND, JETSTREAM, LOG_APPEND, REST_MODIFY, type TargetRow, targetRatios } from '../../../src/bench/targets';

const row = (system: string, inFlight: number, opsPerSec: number, p50Ms: number, cpu: Record<string, number> = {}): TargetRow => ({ system, inFlight, ops: 1000, opsPerSec, p50Ms, p99Ms: p50Ms * 2, cpu });

describe('the write path targets of a bench run', () => {
  it('given one run of every part, then each ratio is computed against its floor of the same run and judged', () => {
    const targets = targetRatios({
      rows: [
        row(BARE_ROUND, 1, 500, 2),
        row(LOG_APPEND, 1, 200, 3, { nodes: 0.3, mariadbd: 0.1 }),
        row(LOG_APPEND, 64, 4000, 16),
        row(LOG_APPEND, 512, 6000, 80, { nodes: 0.9, mariadbd: 0.3 }),
        row(REST_MODIFY, 1, 100, 9, { nodes: 0.6 }),
        row(REST_MODIFY, 64, 1000, 60),
        row(JETSTREAM, 512, 20_000, 25),
      ],
      mariadbFloorMicros: 40,
      rebuildEventsPerSecond: 160_000,
      liveProjectorEventsPerSecond: null,
      nodes: 3,
    });
    const byName = Object.fromEntries(targets.map((t) => [t.name, [t.value, t.met]]));
    expect(byName).toEqual({
      'log append ops/s at 512 / JetStream R3 at 512': [0.3, false],
      'log append p50 at 1 / bare round p50': [1.5, false],
      'REST scores.modify ops/s at 64 / log append at 64': [0.25, false],
      'REST scores.modify p50 at 1 / log append p50 at 1': [3, false],
      'nodes CPU us per write at 512 (all nodes)': [150, false],
      'mariadbd CPU per write at 512 / its floor': [1.25, true],
      'log append: CPU us per write at 1, per node': [500, true],
      'REST scores.modify: CPU us per write at 1, per node': [2000, false],
      'projection rebuild events/s': [160_000, true],
      'live projector events/s': [null, null],
    });
  });
});
