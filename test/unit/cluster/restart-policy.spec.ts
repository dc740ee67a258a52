import { RestartPolicy, describeExit } from '../../../src/cluster/restart-policy';

describe('the restart policy of npm run cluster', () => {
  const options = { backoffMs: 1000, backoffMaxMs: 15_000, failedStartsMax: 5 };

  it('restarts a node that served, after the short backoff, however often it dies', () => {
    const policy = new RestartPolicy(options);
    for (let i = 0; i < 20; i++) expect(policy.afterExit(true)).toEqual({ restart: true, delayMs: 1000 });
  });

  it('backs off after failed starts and gives up after failedStartsMax in a row', () => {
    const policy = new RestartPolicy(options);
    const decisions = Array.from({ length: 5 }, () => policy.afterExit(false));
    expect(decisions).toEqual([
      { restart: true, delayMs: 2000 },
      { restart: true, delayMs: 4000 },
      { restart: true, delayMs: 8000 },
      { restart: true, delayMs: 15_000 },
      { restart: false, failedStarts: 5 },
    ]);
  });

  it('a start that serves resets the count of failed starts', () => {
    const policy = new RestartPolicy(options);
    for (let i = 0; i < 4; i++) expect(policy.afterExit(false).restart).toBe(true);
    expect(policy.afterExit(true)).toEqual({ restart: true, delayMs: 1000 });
    for (let i = 0; i < 4; i++) expect(policy.afterExit(false).restart).toBe(true);
    expect(policy.afterExit(false)).toEqual({ restart: false, failedStarts: 5 });
  });

  it('says why a node exited: its signal or exit code, and its last error line', () => {
    expect(describeExit(null, 'SIGKILL', '')).toBe('killed by SIGKILL');
    expect(describeExit(1, null, 'ConfigError: CLUSTER_NAME must match')).toBe('exit code 1; last error: ConfigError: CLUSTER_NAME must match');
  });
});
