import { spawn } from 'node:child_process';
import { DIST_MAIN, REPO_ROOT } from './cluster-harness';

/** Runs `node dist/main.js` with `env` (no JWT settings inherited) and returns its exit code and output. */
function runNode(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const inherited = { ...process.env };
  for (const name of ['JWT_SECRET', 'JWT_SECRETS', 'NODE_ENV']) delete inherited[name];
  const child = spawn(process.execPath, [DIST_MAIN], {
    cwd: REPO_ROOT,
    // A MySQL port nothing listens on: a node that got past its configuration fails there instead.
    env: { ...inherited, MYSQL_URL: 'mysql://root@127.0.0.1:1', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('a node refuses to start without a real JWT secret', () => {
  it('exits 1 at start with a message naming JWT_SECRET when none is set', async () => {
    const { code, output } = await runNode({});
    expect(code).toBe(1);
    expect(output).toMatch(/node failed to start: JWT_SECRET is not set: set it to a random secret of at least 32 bytes/);
  }, 90_000);

  it.each([
    ['a 31-byte JWT_SECRET', { JWT_SECRET: 's'.repeat(31) }, /JWT_SECRET must be at least 32 bytes/],
    ['NODE_ENV=production without a secret', { NODE_ENV: 'production' }, /JWT_SECRET is not set/],
    ['a short key in JWT_SECRETS', { JWT_SECRETS: `a:${'s'.repeat(40)},b:short` }, /JWT_SECRETS key b must be at least 32 bytes/],
  ])('exits 1 with %s', async (_what, env, message) => {
    const { code, output } = await runNode(env);
    expect(code).toBe(1);
    expect(output).toMatch(message);
  }, 90_000);

  it('gets past its configuration with a 32-byte secret, or with NODE_ENV=development and none', async () => {
    const real = await runNode({ JWT_SECRET: 's'.repeat(32) });
    expect(real.output).toMatch(/cannot reach MySQL/);
    expect(real.output).not.toMatch(/JWT_SECRET/);
    const development = await runNode({ NODE_ENV: 'development' });
    expect(development.output).toMatch(/cannot reach MySQL/);
    expect(development.output).toMatch(/public development secret/);
  }, 180_000);
});
