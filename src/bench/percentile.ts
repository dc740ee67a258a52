import { assert } from '../shared/assert';

/**
 * The nearest-rank percentile of samples sorted ascending: the smallest sample with at least
 * `p` percent of all samples at or below it. NaN when there are no samples.
 *
 * @example percentile([1, 2, 3, 4], 50) // 2
 * @example percentile([1, 2, 3, 4], 99) // 4
 */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  assert(p > 0 && p <= 100, `percentile must be in (0, 100], got ${p}`);
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * n);
  return sortedAscending[Math.min(n, Math.max(1, rank)) - 1];
}
