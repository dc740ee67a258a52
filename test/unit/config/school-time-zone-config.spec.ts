import { ConfigError } from '../../../src/consensus';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { cliConfigFromEnv } from '../../../src/cli/cli-config';
import { CliUsageError } from '../../../src/cli/cli-errors';
import { randomJwtSecret } from '../../support/jwt-secret';

const withSecret = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ JWT_SECRET: randomJwtSecret(), ...env });

describe("the school's time zone (SCHOOL_TIME_ZONE)", () => {
  it('defaults to UTC, so an existing cluster counts the same days', () => {
    expect(nodeConfigFromEnv(withSecret({})).schoolTimeZone).toBe('UTC');
    expect(nodeConfigFromEnv(withSecret({ SCHOOL_TIME_ZONE: '' })).schoolTimeZone).toBe('UTC');
  });

  it('takes an IANA zone', () => {
    expect(nodeConfigFromEnv(withSecret({ SCHOOL_TIME_ZONE: 'Asia/Shanghai' })).schoolTimeZone).toBe('Asia/Shanghai');
    expect(nodeConfigFromEnv(withSecret({ SCHOOL_TIME_ZONE: 'Europe/Berlin' })).schoolTimeZone).toBe('Europe/Berlin');
  });

  it.each(['Asia/Shangai', '+08:00', 'UTC+8', 'CST-8x', 'Asia/Shanghai; DROP'])('refuses %j at start, naming the variable', (zone) => {
    expect(() => nodeConfigFromEnv(withSecret({ SCHOOL_TIME_ZONE: zone }))).toThrow(ConfigError);
    expect(() => nodeConfigFromEnv(withSecret({ SCHOOL_TIME_ZONE: zone }))).toThrow(/^SCHOOL_TIME_ZONE must be an IANA time zone such as Asia\/Shanghai/);
  });

  it('is read by the CLI with the same rule (its projection rebuild counts days in it)', () => {
    expect(cliConfigFromEnv({}).schoolTimeZone).toBe('UTC');
    expect(cliConfigFromEnv({ SCHOOL_TIME_ZONE: 'Asia/Shanghai' }).schoolTimeZone).toBe('Asia/Shanghai');
    expect(() => cliConfigFromEnv({ SCHOOL_TIME_ZONE: 'Moon/Base' })).toThrow(CliUsageError);
    expect(() => cliConfigFromEnv({ SCHOOL_TIME_ZONE: 'Moon/Base' })).toThrow(/SCHOOL_TIME_ZONE/);
  });
});
