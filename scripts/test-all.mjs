// `npm test`: builds once, then runs the end-to-end suites (real node processes, one spec at a time,
// output live) side by side with the unit, integration and component suites (one worker each, one
// suite after the other, output shown as one block when they end). The end-to-end specs mostly wait
// on real processes, elections and timers, and use about one core of this 2-core machine; the
// other suites fill the second. Exit code 1 when any suite failed; every suite runs either way.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `npm run <script> [-- args]`; resolves with its exit code, its output streamed or collected. */
function run(script, args, sink, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
      stdio: ['ignore', sink ? 'pipe' : 'inherit', sink ? 'pipe' : 'inherit'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0', ...env },
    });
    if (sink) {
      child.stdout.on('data', (d) => sink.push(d));
      child.stderr.on('data', (d) => sink.push(d));
    }
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);

const build = await run('build', []);
if (build !== 0) process.exit(build);

const others = (async () => {
  const results = [];
  for (const [name, script] of [
    ['unit', 'test:unit'],
    ['integration', 'test:integration'],
    ['web components', 'test:web'],
  ]) {
    const output = [];
    const code = await run(script, [], output, { JEST_MAX_WORKERS: '1' });
    process.stdout.write(`\n===== ${name} tests (exit ${code}, done at ${seconds()} s) =====\n${Buffer.concat(output).toString('utf8')}\n===== end of ${name} tests =====\n`);
    results.push([name, code]);
  }
  return results;
})();

const e2e = await run('test:e2e:run', []);
process.stdout.write(`\n===== end-to-end tests: exit ${e2e}, done at ${seconds()} s =====\n`);
const results = [['end-to-end', e2e], ...(await others)];
const failed = results.filter(([, code]) => code !== 0).map(([name]) => name);
process.stdout.write(`\nnpm test: ${failed.length === 0 ? 'every suite passed' : `FAILED: ${failed.join(', ')}`} in ${seconds()} s\n`);
process.exit(failed.length === 0 ? 0 : 1);
