import { ConfigError } from '../../../src/consensus';
import { nodeConfigFromEnv } from '../../../src/config/node-config';

describe('score range configuration (SCORE_MIN, SCORE_MAX)', () => {
  it('defaults to 0..200', () => {
    expect(nodeConfigFromEnv({}).scoreRules).toEqual({ min: 0, max: 200 });
  });

  it('takes both ends from the environment, negative ones included', () => {
    expect(nodeConfigFromEnv({ SCORE_MIN: '-20', SCORE_MAX: '120' }).scoreRules).toEqual({ min: -20, max: 120 });
    expect(nodeConfigFromEnv({ SCORE_MAX: '1000' }).scoreRules).toEqual({ min: 0, max: 1000 });
  });

  it.each([
    [{ SCORE_MIN: 'ten' }, /SCORE_MIN must be an integer/],
    [{ SCORE_MAX: '1.5' }, /SCORE_MAX must be an integer/],
    [{ SCORE_MAX: '1e3' }, /SCORE_MAX must be an integer/],
    [{ SCORE_MIN: '150', SCORE_MAX: '120' }, /must not exceed SCORE_MAX/],
    [{ SCORE_MIN: '0', SCORE_MAX: '50' }, /must include the default initial score 100/],
    [{ SCORE_MAX: '99999999999' }, /between -1000000000 and 1000000000/],
  ])('refuses %j', (env, message) => {
    expect(() => nodeConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => nodeConfigFromEnv(env)).toThrow(message);
  });
});
