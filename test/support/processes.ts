import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Pids of live processes whose command line contains `fragment` (Linux /proc), e.g. a temp dir
 * only the test's own servers were given, to prove none outlived the test.
 */
export function pidsWithArgument(fragment: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.includes(fragment))) pids.push(Number(entry));
    } catch {
      // The process ended while we read; it does not count.
    }
  }
  return pids;
}
