import { ConfigError } from '../../../src/consensus';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { randomJwtSecret } from '../../support/jwt-secret';

const withSecret = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ JWT_SECRET: randomJwtSecret(), ...env });

describe('score range configuration (SCORE_MIN, SCORE_MAX)', () => {
  it('defaults to 0..200', () => {
    expect(nodeConfigFromEnv(withSecret({})).scoreRules).toEqual({ min: 0, max: 200 });
  });

  it('takes both ends from the environment, negative ones included', () => {
    expect(nodeConfigFromEnv(withSecret({ SCORE_MIN: '-20', SCORE_MAX: '120' })).scoreRules).toEqual({ min: -20, max: 120 });
    expect(nodeConfigFromEnv(withSecret({ SCORE_MAX: '1000' })).scoreRules).toEqual({ min: 0, max: 1000 });
  });

  it.each([
    [{ SCORE_MIN: 'ten' }, /SCORE_MIN must be an integer/],
    [{ SCORE_MAX: '1.5' }, /SCORE_MAX must be an integer/],
    [{ SCORE_MAX: '1e3' }, /SCORE_MAX must be an integer/],
    [{ SCORE_MIN: '150', SCORE_MAX: '120' }, /must not exceed SCORE_MAX/],
    [{ SCORE_MIN: '0', SCORE_MAX: '50' }, /must include the default initial score 100/],
    [{ SCORE_MAX: '99999999999' }, /between -1000000000 and 1000000000/],
  ])('refuses %j', (env, message) => {
    expect(() => nodeConfigFromEnv(withSecret(env))).toThrow(ConfigError);
    expect(() => nodeConfigFromEnv(withSecret(env))).toThrow(message);
  });
});
