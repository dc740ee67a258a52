import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchRow, formatTable, writeResults } from '../../../src/bench/report';

const row = (system: string, inFlight: number, opsPerSec: number): BenchRow => ({
  system,
  inFlight,
  ops: 200,
  opsPerSec,
  p50Ms: 1.234,
  p99Ms: 5.678,
});

describe('formatTable', () => {
  it('given ours and JetStream at the same in-flight, then ours carries the ratio of their ops/s', () => {
    const table = formatTable([row('jetstream', 64, 20_000), row('paxos-3', 64, 5_000), row('paxos-3', 512, 9_000)]);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^system\s+in flight\s+ops\s+ops\/s\s+p50 ms\s+p99 ms\s+ratio to JetStream$/);
    expect(lines[2]).toMatch(/^jetstream\s+64\s+200\s+20000\s+1\.23\s+5\.68\s+-$/);
    expect(lines[3]).toMatch(/^paxos-3\s+64\s+200\s+5000\s+1\.23\s+5\.68\s+0\.25$/);
    expect(lines[4]).toMatch(/\s-$/); // no JetStream row at 512
  });

  it('aligns the columns: every line has the figures ending at the same place', () => {
    const lines = formatTable([row('jetstream', 1, 900), row('a-much-longer-name', 512, 123_456)])
      .trimEnd()
      .split('\n');
    const opsPerSecEnd = lines[0].indexOf('ops/s') + 'ops/s'.length;
    for (const line of lines.slice(2)) expect(line[opsPerSecEnd - 1]).toMatch(/\d/);
  });
});

describe('writeResults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the timestamped file and the latest file with the same JSON, creating the folder', () => {
    const target = join(dir, 'nested', 'results');
    const path = writeResults('jetstream', { ops: 1 }, { dir: target, now: new Date('2025-01-02T03:04:05.678Z') });
    expect(path).toBe(join(target, 'jetstream-2025-01-02T03-04-05-678Z.json'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ ops: 1 });
    expect(JSON.parse(readFileSync(join(target, 'jetstream-latest.json'), 'utf8'))).toEqual({ ops: 1 });
  });

  it('rejects a name that could leave the folder', () => {
    expect(() => writeResults('../x', {}, { dir })).toThrow('results name');
  });
});
