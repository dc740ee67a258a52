import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DEFAULT_RECORDS_DIR, recordsDirOf } from '../../../src/records/records-service';

const root = resolve(__dirname, '../../..');

/** True when git ignores `path` (relative to the checkout). */
function ignoredByGit(path: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', path], { cwd: root }).status === 0;
}

describe('where npm run records-service keeps archives', () => {
  it('by default, under the data directory, which git ignores', () => {
    const dir = recordsDirOf({});
    expect(dir).toBe(DEFAULT_RECORDS_DIR);
    expect(dir.split(/[\\/]/)[0]).toBe('data');
    expect(ignoredByGit(join(dir, '2026-S1', 'archive-1.json'))).toBe(true);
  });

  it('RECORDS_DIR chooses another folder', () => {
    expect(recordsDirOf({ RECORDS_DIR: '/var/lib/records' })).toBe('/var/lib/records');
  });

  it('the check itself sees a tracked path as not ignored', () => {
    expect(ignoredByGit('src/records/main.ts')).toBe(false);
  });
});
