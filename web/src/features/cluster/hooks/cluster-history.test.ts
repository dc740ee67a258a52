import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '@/lib/api/types';
import { appendSample, HISTORY_SAMPLES_MAX, leaderChanges, ratesOf, successShare } from './cluster-history';

function status(leaderId: string | null, chosen: number, failed: number): ClusterStatus {
  return { nodeId: 'n1', role: 'follower', leaderId, ballot: '1.n1', chosenSlot: 0, appliedSlot: 0, httpPort: null, members: [], proposals: { chosen, failed, inFlight: 0 }, projections: [] };
}

describe('cluster history', () => {
  it('computes rates per second between readings, a counter reset counting as zero', () => {
    let s = appendSample([], status('n1', 10, 0), 0);
    s = appendSample(s, status('n1', 30, 2), 2000);
    s = appendSample(s, status('n2', 5, 0), 3000);
    expect(ratesOf(s)).toEqual([
      { at: 2000, chosenPerSec: 10, failedPerSec: 1 },
      { at: 3000, chosenPerSec: 0, failedPerSec: 0 },
    ]);
  });

  it('reports the share of chosen and failed proposals (the old "成功 95%, 失败 5%")', () => {
    const s = appendSample(appendSample([], status('n1', 0, 0), 0), status('n1', 95, 5), 1000);
    expect(successShare(s)).toEqual({ ok: 95, failed: 5 });
  });

  it('lists the moments the leader changed', () => {
    let s = appendSample([], status('n1', 0, 0), 0);
    s = appendSample(s, status('n1', 0, 0), 1000);
    s = appendSample(s, status(null, 0, 0), 2000);
    s = appendSample(s, status('n2', 0, 0), 3000);
    expect(leaderChanges(s)).toEqual([
      { at: 0, leaderId: 'n1' },
      { at: 2000, leaderId: null },
      { at: 3000, leaderId: 'n2' },
    ]);
  });

  it('keeps a bounded number of samples', () => {
    let s = appendSample([], status('n1', 0, 0), 0);
    for (let i = 1; i < HISTORY_SAMPLES_MAX + 10; i++) s = appendSample(s, status('n1', i, 0), i * 1000);
    expect(s).toHaveLength(HISTORY_SAMPLES_MAX);
  });
});
