import { aggregateStoreOptionsOf, nodeConfigFromEnv } from '../../../src/config/node-config';
import { randomJwtSecret } from '../../support/jwt-secret';

describe('aggregate store settings', () => {
  it('defaults to snapshots every 100,000 events and 50,000 cold aggregates in memory', () => {
    expect(nodeConfigFromEnv({ JWT_SECRET: randomJwtSecret() }).aggregates).toEqual({ snapshotEveryEvents: 100_000, coldCacheMax: 50_000, snapshotIntervalMs: 300_000 });
  });

  it('0 turns snapshots off and 0 lifts the cache bound', () => {
    expect(aggregateStoreOptionsOf({ AGGREGATE_SNAPSHOT_EVERY_EVENTS: '0', AGGREGATE_CACHE_MAX: '0' })).toMatchObject({ snapshotEveryEvents: 0, coldCacheMax: Infinity });
    expect(aggregateStoreOptionsOf({ AGGREGATE_SNAPSHOT_EVERY_EVENTS: '500', AGGREGATE_CACHE_MAX: '7' })).toMatchObject({ snapshotEveryEvents: 500, coldCacheMax: 7 });
    expect(aggregateStoreOptionsOf({ AGGREGATE_SNAPSHOT_INTERVAL_MS: '0' }).snapshotIntervalMs).toBe(0);
  });

  it('refuses a value that is not a non-negative integer', () => {
    expect(() => aggregateStoreOptionsOf({ AGGREGATE_CACHE_MAX: '-1' })).toThrow(/AGGREGATE_CACHE_MAX/);
    expect(() => aggregateStoreOptionsOf({ AGGREGATE_SNAPSHOT_EVERY_EVENTS: 'often' })).toThrow(/AGGREGATE_SNAPSHOT_EVERY_EVENTS/);
  });
});
