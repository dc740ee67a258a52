import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type ConfigService } from '@nestjs/config';
import type { EnvSource } from './env-schema';
import { type NodeConfig, nodeConfigOf } from './node-config';
import { type NodeEnv, parseNodeEnv } from './node-env';

/** What the app's ConfigService holds: the node's settings by variable name (`env`) and shaped for its parts (`node`). */
export interface NodeSettings {
  readonly env: NodeEnv;
  readonly node: NodeConfig;
}

/** The app's typed ConfigService: `get('env.HTTP_PORT', { infer: true })` is a number, `get('node', { infer: true })` the NodeConfig. */
export type NodeConfigService = ConfigService<NodeSettings, true>;

/**
 * The node's settings of `env`, read with the node's schema.
 * @throws ConfigError naming each variable that is wrong
 */
export function nodeSettingsOf(env: EnvSource): NodeSettings {
  const values = parseNodeEnv(env);
  return { env: values, node: nodeConfigOf(values) };
}

/**
 * @nestjs/config's ConfigModule over the node's schema, global in the app: its `validate` reads
 * `env` (main.ts gives process.env, an in-process test node its own object) with `parseNodeEnv`,
 * so the app's ConfigService (NodeConfigService) holds the same typed settings the node started
 * with, and a bad setting stops the app from starting with the ConfigError that names it.
 *
 * No `.env` file is read (a node takes its settings from its environment alone), and nothing is
 * written back to process.env: the settings are nested objects, which ConfigModule leaves out.
 */
@Module({})
export class NodeConfigModule {
  static forRoot(env: EnvSource): Promise<DynamicModule> {
    return ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      ignoreEnvFile: true,
      // `validate` reads `env` itself: this process's own environment is not the node's in a test.
      validatePredefined: false,
      skipProcessEnv: true,
      validate: () => nodeSettingsOf(env),
    });
  }
}
