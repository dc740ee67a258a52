import { WRITTEN_TIMES_MAX, WrittenTimes } from '../../../src/node/written-times';

describe('WrittenTimes: projection lag in seconds', () => {
  it('is the age of the first commit past the checkpoint, 0 once caught up', () => {
    const times = new WrittenTimes();
    times.written(10, 1_000);
    times.written(25, 3_000);
    times.written(30, 4_000);
    expect(times.lagSeconds(0, 6_000)).toBe(5);
    expect(times.lagSeconds(10, 6_000)).toBe(3);
    expect(times.lagSeconds(24, 6_000)).toBe(3);
    expect(times.lagSeconds(25, 6_000)).toBe(2);
    expect(times.lagSeconds(30, 6_000)).toBe(0);
  });

  it('forgets heads every reader passed, and keeps at most WRITTEN_TIMES_MAX', () => {
    const times = new WrittenTimes();
    times.written(10, 1_000);
    times.written(20, 2_000);
    times.forget(10);
    expect(times.lagSeconds(0, 5_000)).toBe(3);
    for (let i = 1; i <= WRITTEN_TIMES_MAX + 5; i++) times.written(20 + i, 10_000 + i);
    // the oldest kept is head 26 (written at 10_006): a lower bound for a reader further behind
    expect(times.lagSeconds(0, 20_006)).toBe(10);
  });

  it('ignores a head that does not move forward', () => {
    const times = new WrittenTimes();
    times.written(10, 1_000);
    times.written(10, 9_000);
    times.written(5, 9_000);
    expect(times.lagSeconds(0, 11_000)).toBe(10);
  });
});
