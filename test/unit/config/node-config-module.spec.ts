import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { ConfigError } from '../../../src/consensus';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { NodeConfigModule, type NodeConfigService } from '../../../src/config/node-config.module';
import { randomJwtSecret } from '../../support/jwt-secret';

/** The app's ConfigService with NodeConfigModule over `env`. */
async function configOf(env: NodeJS.ProcessEnv): Promise<NodeConfigService> {
  const moduleRef = await Test.createTestingModule({ imports: [NodeConfigModule.forRoot(env)] }).compile();
  return moduleRef.get<NodeConfigService>(ConfigService);
}

describe('NodeConfigModule (ConfigModule with the schema as validate)', () => {
  const env = { JWT_SECRET: randomJwtSecret(), NODE_ID: 'n2', HTTP_PORT: '3200', ACCESS_LOG_SAMPLE_RATE: '0.5', UNSAFE_DURABILITY: '1' };

  it("gives the app the node's settings, typed, by variable name and as NodeConfig", async () => {
    const config = await configOf(env);
    const port: number = config.get('env.HTTP_PORT', { infer: true });
    expect(port).toBe(3200);
    expect(config.get('env.ACCESS_LOG_SAMPLE_RATE', { infer: true })).toBe(0.5);
    expect(config.get('env.UNSAFE_DURABILITY', { infer: true })).toBe(true);
    expect(config.get('env.MYSQL_DATABASE', { infer: true })).toBe('behavior_n2');
    expect(config.get('node', { infer: true })).toEqual(nodeConfigFromEnv(env));
  });

  it('reads the environment it is given, not this process’s own, and writes nothing back to it', async () => {
    const before = { ...process.env };
    const config = await configOf(env);
    expect(config.get('env.NODE_ID', { infer: true })).toBe('n2');
    expect(process.env).toEqual(before);
  });

  it('refuses a bad setting with the ConfigError that names it, so the app does not start', async () => {
    await expect(configOf({ ...env, HTTP_PORT: '70000' })).rejects.toThrow(ConfigError);
    await expect(configOf({ ...env, HTTP_PORT: '70000' })).rejects.toThrow(/HTTP_PORT must be 1..65535, got 70000/);
    await expect(configOf({ NODE_ID: 'n1' })).rejects.toThrow(/JWT_SECRET is not set/);
  });
});
