import fc from 'fast-check';
import { BloomFilter } from '../../../src/shared/bloom-filter';

describe('BloomFilter', () => {
  it('never says no for a string it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 64 }), { maxLength: 200 }), (values) => {
        const filter = new BloomFilter(1 << 12, 5);
        for (const v of values) filter.add(v);
        return values.every((v) => filter.mightContain(v));
      }),
    );
  });

  it('says yes for absent strings at about the rate its size promises (10 bits each, 7 hashes: ~1%)', () => {
    const filter = new BloomFilter(100_000 * 10 - ((100_000 * 10) % 32), 7);
    for (let i = 0; i < 100_000; i++) filter.add(`cmd-${i}`);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) if (filter.mightContain(`other-${i}`)) falsePositives += 1;
    expect(falsePositives / 100_000).toBeLessThan(0.02);
    expect(filter.count).toBe(100_000);
  });

  it('refuses sizes it cannot index', () => {
    expect(() => new BloomFilter(100, 3)).toThrow(/multiple of 32/);
    expect(() => new BloomFilter(1024, 0)).toThrow(/hashes/);
  });
});
