import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../../src/app.module';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { type TrustProxy, configureHttpApp } from '../../../src/http/common/http-api.module';
import { createLogger } from '../../../src/logger';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { dropDatabase } from '../mysql/test-database';
import { randomJwtSecret } from '../../support/jwt-secret';
import { PinoLoggerService } from '../../../src/logger-service';

export const ADMIN = { username: 'headmaster', password: 'bootstrap-secret' };

/** A single-member node (it leads alone) on the real MySQL and NATS, and the node's own HTTP app on it. */
export interface NodeApp {
  readonly node: ConsensusNode;
  /** An HTTP app of the node (AppModule, as main.ts builds it) with `trustProxy`; each has its own limits. */
  app(trustProxy?: TrustProxy): Promise<INestApplication>;
  /** Logs in over `app` and answers the token. */
  login(app: INestApplication, username: string, password: string): Promise<string>;
  /** A token straight from the node's auth service (no HTTP, no limits), once the user exists there. */
  token(username: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the node with `env` added (e.g. small rate limits). */
export async function startNodeApp(tag: string, env: NodeJS.ProcessEnv = {}): Promise<NodeApp> {
  const id = `${tag}${randomBytes(4).toString('hex')}`;
  const database = `behavior_test_${id}`;
  const nodeEnv: NodeJS.ProcessEnv = {
    NODE_ID: 'n1',
    CLUSTER_NODES: 'n1',
    CLUSTER_NAME: id,
    API_SUBJECT_PREFIX: id,
    MYSQL_DATABASE: database,
    TICK_MS: '5',
    JWT_SECRET: randomJwtSecret(),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  };
  const node = await ConsensusNode.start(nodeConfigFromEnv(nodeEnv), () => undefined);
  const apps: INestApplication[] = [];
  return {
    node,
    app: async (trustProxy = false) => {
      const logger = createLogger('fatal', 'n1');
      const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(node, logger, { env: nodeEnv })] }).compile();
      const app = moduleRef.createNestApplication({ bufferLogs: true });
      app.useLogger(new PinoLoggerService(logger));
      configureHttpApp(app, { trustProxy });
      await app.init();
      apps.push(app);
      return app;
    },
    login: async (app, username, password) => {
      const res = await request(app.getHttpServer()).post('/api/auth/login').send({ username, password });
      if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}`);
      return (res.body as { accessToken: string }).accessToken;
    },
    token: async (username, password) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          return (await node.auth.service.login(username, password)).accessToken;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
    stop: async () => {
      for (const app of apps) await app.close();
      await node.stop();
      await dropDatabase(database);
    },
  };
}
