import { ConfigError } from '../../../src/consensus';
import { nodeConfigFromEnv as configOf } from '../../../src/config/node-config';
import { randomJwtSecret } from '../../support/jwt-secret';

const nodeConfigFromEnv = (env: NodeJS.ProcessEnv) => configOf({ JWT_SECRET: randomJwtSecret(), ...env });

describe('observability configuration (ADMIN_HTTP_PORT, ACCESS_LOG_*)', () => {
  it('keeps /metrics on the main port and samples the access log past 20 lines a second by default', () => {
    const config = nodeConfigFromEnv({});
    expect(config.adminHttpPort).toBeUndefined();
    expect(config.accessLog).toEqual({ slowMs: 1000, perSecondMax: 20, sampleRate: 0.01 });
  });

  it('takes the admin port, its host (default HTTP_HOST) and the sampling from the environment', () => {
    const config = nodeConfigFromEnv({ ADMIN_HTTP_PORT: '9100', HTTP_HOST: '0.0.0.0', ACCESS_LOG_SLOW_MS: '250', ACCESS_LOG_PER_SECOND: '0', ACCESS_LOG_SAMPLE_RATE: '0.5' });
    expect(config).toMatchObject({ adminHttpPort: 9100, adminHttpHost: '0.0.0.0', accessLog: { slowMs: 250, perSecondMax: 0, sampleRate: 0.5 } });
    expect(nodeConfigFromEnv({ ADMIN_HTTP_PORT: '9100', ADMIN_HTTP_HOST: '127.0.0.1', HTTP_HOST: '0.0.0.0' }).adminHttpHost).toBe('127.0.0.1');
  });

  it.each([
    [{ ADMIN_HTTP_PORT: '3000' }, /ADMIN_HTTP_PORT must differ from HTTP_PORT/],
    [{ ADMIN_HTTP_PORT: '70000' }, /ADMIN_HTTP_PORT must be 1..65535/],
    [{ ADMIN_HTTP_PORT: 'admin' }, /ADMIN_HTTP_PORT must be a non-negative integer/],
    [{ ACCESS_LOG_SAMPLE_RATE: '2' }, /ACCESS_LOG_SAMPLE_RATE must be a number from 0 to 1/],
    [{ ACCESS_LOG_SAMPLE_RATE: 'all' }, /ACCESS_LOG_SAMPLE_RATE must be a number from 0 to 1/],
    [{ ACCESS_LOG_SLOW_MS: '-1' }, /ACCESS_LOG_SLOW_MS must be a non-negative integer/],
  ])('refuses %j', (env, message) => {
    expect(() => nodeConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => nodeConfigFromEnv(env)).toThrow(message);
  });
});
