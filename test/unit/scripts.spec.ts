import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/**
 * `npm run test:unit`, `test:integration` and `test:e2e:run` split the specs `npm test`
 * (scripts/test-all.mjs) runs with jest: every spec jest finds (jest.config.js testMatch) is run
 * by exactly one of the three, and `npm test` runs all three and the web app's component tests.
 * Each script's own jest command is asked for its list (`--listTests`), so what is checked is
 * what the script runs.
 */

const ROOT = resolve(__dirname, '../..');
const JEST = require.resolve('jest/bin/jest');
const SPLIT = ['test:unit', 'test:integration', 'test:e2e:run'] as const;

/** The arguments of the jest command in an npm script (`npm run build && jest …` is allowed). */
function jestArgs(script: string): string[] {
  const commands = script.split('&&').map((part) => part.trim());
  const jest = commands.filter((command) => command.startsWith('jest '));
  expect(jest).toHaveLength(1);
  expect(commands.filter((command) => !command.startsWith('jest ') && command !== 'npm run build')).toEqual([]);
  return jest[0].split(/\s+/).slice(1);
}

/** The spec files jest runs with `args`, relative to the repository (`/` separated), sorted. */
function listTests(args: readonly string[]): string[] {
  const run = spawnSync(process.execPath, [JEST, ...args, '--listTests', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(0);
  const files = JSON.parse(run.stdout) as string[];
  return files.map((file) => relative(ROOT, file).split(sep).join('/')).sort();
}

describe('the test scripts of package.json', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;

  it('npm test runs the build, then every part: the three jest scripts and the component tests', () => {
    expect(scripts.test).toBe('node scripts/test-all.mjs');
    const runner = readFileSync(join(ROOT, 'scripts', 'test-all.mjs'), 'utf8');
    for (const name of ['build', ...SPLIT, 'test:web']) expect({ name, named: runner.includes(`'${name}'`) }).toEqual({ name, named: true });
    expect(scripts['test:e2e']).toBe('npm run build && npm run test:e2e:run');
  });

  it('split the specs jest runs: each is in exactly one of test:unit, test:integration and test:e2e:run', () => {
    const all = listTests([]);
    expect(all.length).toBeGreaterThan(100);
    const owners = new Map<string, string[]>(all.map((file) => [file, []]));
    for (const name of SPLIT) {
      const files = listTests(jestArgs(scripts[name]));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(owners.has(file) ? file : `${file} (${name}: not a spec jest runs)`).toBe(file);
        owners.get(file)!.push(name);
      }
    }
    const notOnce = [...owners]
      .filter(([, names]) => names.length !== 1)
      .map(([file, names]) => `${file}: ${names.join(', ') || 'no script'}`);
    expect(notOnce).toEqual([]);
  }, 120_000);

  it('reads the jest command of a script and refuses anything else chained to it', () => {
    expect(jestArgs('npm run build && jest --runInBand --roots test/e2e')).toEqual([
      '--runInBand',
      '--roots',
      'test/e2e',
    ]);
    expect(() => jestArgs('rm -rf dist && jest --roots test/unit')).toThrow();
    expect(() => jestArgs('vitest run')).toThrow();
  });
});
