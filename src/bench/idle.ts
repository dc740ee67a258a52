import { readFileSync, readdirSync } from 'node:fs';
import { cpuSeconds } from './cpu';

/** What one idle node cost over the measured window. */
export interface IdleNode {
  readonly nodeId: string;
  /** CPU used, in cores (1.0 = one core). */
  readonly cores: number;
  /** Voluntary context switches per second over all its threads: how often it woke to do nothing. */
  readonly wakeupsPerSecond: number;
}

/** Voluntary context switches of a process so far, summed over its threads; 0 when it is gone. */
export function voluntarySwitches(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((total, tid) => {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const match = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(status);
      return total + (match ? Number(match[1]) : 0);
    }, 0);
  } catch {
    return 0;
  }
}

/**
 * Measures idle nodes: CPU (from /proc/<pid>/stat) and wakeups (voluntary context switches) over
 * `seconds` of wall time while nothing is sent to them.
 */
export async function measureIdle(nodes: readonly { id: string; pid: number }[], seconds: number): Promise<IdleNode[]> {
  const before = nodes.map((n) => ({ cpu: cpuSeconds(n.pid), switches: voluntarySwitches(n.pid) }));
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const wall = (performance.now() - started) / 1000;
  return nodes.map((n, i) => ({
    nodeId: n.id,
    cores: Math.round(((cpuSeconds(n.pid) - before[i].cpu) / wall) * 1000) / 1000,
    wakeupsPerSecond: Math.round((voluntarySwitches(n.pid) - before[i].switches) / wall),
  }));
}
