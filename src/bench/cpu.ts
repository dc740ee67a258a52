import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far, from /proc; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Pids of processes whose command line matches `pattern` (pgrep -f), empty when none. */
export function pidsOf(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Samples named groups of processes, to tell which one a run kept busy. */
export class CpuMeter {
  private start = new Map<string, number>();

  constructor(private readonly groups: () => Record<string, number[]>) {}

  begin(): void {
    this.start = new Map(Object.entries(this.groups()).map(([name, pids]) => [name, sum(pids)]));
    this.start.set('bench client', process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6);
  }

  /** CPU seconds each group used since `begin`, divided by the wall seconds: 1.0 is one core. */
  end(wallSeconds: number): Record<string, number> {
    const now: Record<string, number> = Object.fromEntries(Object.entries(this.groups()).map(([name, pids]) => [name, sum(pids)]));
    now['bench client'] = process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;
    return Object.fromEntries(Object.entries(now).map(([name, v]) => [name, round2((v - (this.start.get(name) ?? 0)) / wallSeconds)]));
  }
}

function sum(pids: number[]): number {
  return pids.reduce((total, pid) => total + cpuSeconds(pid), 0);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
