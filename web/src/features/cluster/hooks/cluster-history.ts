import { useEffect, useState } from 'react';
import type { ClusterStatus } from '@/lib/api/types';

/** Samples the monitor keeps (two minutes at one a second). */
export const HISTORY_SAMPLES_MAX = 120;

/** One reading of the status. */
export interface Sample {
  at: number;
  leaderId: string | null;
  chosen: number;
  failed: number;
}

/** A rate between two readings, per second. */
export interface Rate {
  at: number;
  chosenPerSec: number;
  failedPerSec: number;
}

/** Appends a reading, keeping the last HISTORY_SAMPLES_MAX. */
export function appendSample(samples: Sample[], status: ClusterStatus, at: number): Sample[] {
  const next = [...samples, { at, leaderId: status.leaderId, chosen: status.proposals.chosen, failed: status.proposals.failed }];
  return next.length > HISTORY_SAMPLES_MAX ? next.slice(next.length - HISTORY_SAMPLES_MAX) : next;
}

/** Proposals chosen and failed per second between consecutive readings (a counter reset counts as 0). */
export function ratesOf(samples: Sample[]): Rate[] {
  const rates: Rate[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const secs = (b.at - a.at) / 1000;
    if (secs <= 0) continue;
    rates.push({ at: b.at, chosenPerSec: Math.max(0, b.chosen - a.chosen) / secs, failedPerSec: Math.max(0, b.failed - a.failed) / secs });
  }
  return rates;
}

/** The share of chosen and failed proposals over the kept window, in whole percent. */
export function successShare(samples: Sample[]): { ok: number; failed: number } | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const chosen = Math.max(0, last.chosen - first.chosen);
  const failed = Math.max(0, last.failed - first.failed);
  if (chosen + failed === 0) return null;
  const ok = Math.round((100 * chosen) / (chosen + failed));
  return { ok, failed: 100 - ok };
}

/** Moments the leader changed: each reading whose leader differs from the one before. */
export function leaderChanges(samples: Sample[]): { at: number; leaderId: string | null }[] {
  return samples.filter((s, i) => i === 0 || s.leaderId !== samples[i - 1]!.leaderId).map((s) => ({ at: s.at, leaderId: s.leaderId }));
}

/** Keeps the readings of a polled status. */
export function useClusterHistory(status: ClusterStatus | undefined, updatedAt: number): Sample[] {
  const [samples, setSamples] = useState<Sample[]>([]);
  useEffect(() => {
    if (status !== undefined) setSamples((s) => appendSample(s, status, updatedAt));
  }, [status, updatedAt]);
  return samples;
}
