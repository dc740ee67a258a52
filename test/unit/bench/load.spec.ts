import { runLoad } from '../../../src/bench/load';

/** A fake operation that records how many operations are outstanding at once. */
function concurrencyProbe(delayMs: (i: number) => number, fails: (i: number) => boolean = () => false) {
  const seen = { now: 0, max: 0, indices: [] as number[] };
  const send = async (i: number): Promise<void> => {
    seen.indices.push(i);
    seen.now++;
    seen.max = Math.max(seen.max, seen.now);
    await new Promise((resolve) => setTimeout(resolve, delayMs(i)));
    seen.now--;
    if (fails(i)) throw new Error(`op ${i} failed`);
  };
  return { seen, send };
}

describe('runLoad (closed loop)', () => {
  it('given inFlight 8, then exactly 8 operations are outstanding and never more', async () => {
    const { seen, send } = concurrencyProbe((i) => 1 + (i % 3));
    const result = await runLoad({ inFlight: 8, total: 200, send });
    expect(seen.max).toBe(8);
    expect(result.ops).toBe(200);
    expect(result.errors).toBe(0);
    expect(seen.indices.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('given inFlight 1, then operations run one at a time', async () => {
    const { seen, send } = concurrencyProbe(() => 0);
    await runLoad({ inFlight: 1, total: 50, send });
    expect(seen.max).toBe(1);
  });

  it('given fewer operations than inFlight, then only that many are outstanding', async () => {
    const { seen, send } = concurrencyProbe(() => 1);
    const result = await runLoad({ inFlight: 64, total: 10, send });
    expect(seen.max).toBe(10);
    expect(result.ops).toBe(10);
  });

  it('when operations fail, then they are counted as errors, not thrown, and left out of latencies', async () => {
    const { send } = concurrencyProbe(
      () => 0,
      (i) => i % 4 === 0,
    );
    const result = await runLoad({ inFlight: 4, total: 100, send });
    expect(result.errors).toBe(25);
    expect(result.ops).toBe(75);
  });

  it('given a warmup, then its operations come first and are left out of the figures', async () => {
    const { seen, send } = concurrencyProbe(
      () => 0,
      (i) => i < 5,
    );
    const result = await runLoad({ inFlight: 2, total: 20, warmup: 5, send });
    expect(result).toMatchObject({ ops: 20, errors: 0 });
    expect(seen.indices.slice(0, 5).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(Math.max(...seen.indices)).toBe(24);
  });

  it('given a duration, then it stops sending once the duration is over', async () => {
    const { seen, send } = concurrencyProbe(() => 5);
    const result = await runLoad({ inFlight: 4, durationMs: 100, send });
    expect(seen.max).toBe(4);
    expect(result.seconds).toBeGreaterThanOrEqual(0.1);
    expect(result.seconds).toBeLessThan(1);
    expect(result.ops).toBeGreaterThan(4);
  });

  it('when the signal is aborted, then no operation starts after it and those outstanding are counted', async () => {
    const stop = new AbortController();
    const { seen, send } = concurrencyProbe(() => 1);
    const counted = async (i: number): Promise<void> => {
      if (i === 30) stop.abort();
      await send(i);
    };
    const result = await runLoad({ inFlight: 4, durationMs: 60_000, signal: stop.signal, send: counted });
    // Operation 30 aborts as it starts: every one before it had started, none after it does.
    expect(seen.indices.sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(result.ops).toBe(31);
    expect(result.errors).toBe(0);
  });

  it('given a signal aborted before the start, then nothing is sent', async () => {
    const stop = new AbortController();
    stop.abort();
    const { seen, send } = concurrencyProbe(() => 1);
    const result = await runLoad({ inFlight: 4, total: 100, warmup: 10, signal: stop.signal, send });
    expect(seen.indices).toEqual([]);
    expect(result.ops).toBe(0);
  });

  it('measures latencies: p50 <= p99 <= max, and ops/s from ops and seconds', async () => {
    const { send } = concurrencyProbe((i) => (i % 10 === 9 ? 20 : 1));
    const result = await runLoad({ inFlight: 4, total: 100, send });
    expect(result.p50Ms).toBeGreaterThanOrEqual(1);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
    expect(result.p99Ms).toBeGreaterThanOrEqual(19);
    expect(result.p99Ms).toBeLessThanOrEqual(result.maxMs);
    expect(result.opsPerSec).toBeCloseTo(result.ops / result.seconds, 6);
  });

  it('rejects a nonsensical in-flight count', async () => {
    const send = async (): Promise<void> => undefined;
    await expect(runLoad({ inFlight: 0, total: 1, send })).rejects.toThrow('inFlight must be');
  });
});
