import { percentile } from '../../../src/bench/percentile';

describe('percentile (nearest rank)', () => {
  it('given no samples, then it is NaN', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it('given one sample, then every percentile is that sample', () => {
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 100)).toBe(7);
  });

  it('given 1..100, then p50 is 50, p99 is 99 and p100 is 100', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
  });

  it('given four samples, then p50 is the second and p99 the largest', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
  });

  it('given 1000 samples, then p99 leaves exactly 10 samples above it', () => {
    const samples = Float64Array.from({ length: 1000 }, (_, i) => i);
    const p99 = percentile(samples, 99);
    expect(samples.filter((s) => s > p99).length).toBe(10);
  });

  it('rejects a percentile outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow('percentile must be in (0, 100]');
    expect(() => percentile([1], 101)).toThrow('percentile must be in (0, 100]');
  });
});
