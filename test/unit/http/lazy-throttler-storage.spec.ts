import { LazyThrottlerStorage, THROTTLER_KEYS_MAX } from '../../../src/http/common/lazy-throttler-storage';

describe('LazyThrottlerStorage', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('given a limit of 3 a second, then the 4th hit is blocked and a hit after the block starts a new window', async () => {
    const storage = new LazyThrottlerStorage(clock);
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await storage.increment('ip-a', 1000, 3, 1000, 'burst'));
    expect(hits.map((h) => h.isBlocked)).toEqual([false, false, false, true]);
    expect(hits[3].timeToBlockExpire).toBe(1);
    now += 500;
    expect((await storage.increment('ip-a', 1000, 3, 1000, 'burst')).isBlocked).toBe(true);
    now += 600;
    const after = await storage.increment('ip-a', 1000, 3, 1000, 'burst');
    expect(after).toEqual({ totalHits: 1, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('given hits spread over windows, then each window counts from zero (expiry happens on the next hit, with no timer)', async () => {
    jest.useFakeTimers();
    try {
      const storage = new LazyThrottlerStorage(clock);
      for (let i = 0; i < 10; i++) await storage.increment('ip-b', 1000, 100, 1000, 'burst');
      expect(jest.getTimerCount()).toBe(0);
      now += 1000;
      expect((await storage.increment('ip-b', 1000, 100, 1000, 'burst')).totalHits).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('given many clients, then expired keys are swept and the key count stays bounded', () => {
    const storage = new LazyThrottlerStorage(clock);
    for (let i = 0; i < 5000; i++) storage.hit(`ip-${i}`, 1000, 100, 1000);
    now += 2000;
    for (let i = 0; i < 5000; i++) storage.hit(`ip-new-${i}`, 1000, 100, 1000);
    expect(storage.size).toBeLessThan(10_000);
    expect(storage.size).toBeLessThanOrEqual(THROTTLER_KEYS_MAX);
  });
});
