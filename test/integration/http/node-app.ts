import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../../src/app.module';
import { type TrustProxy, configureHttpApp } from '../../../src/http/common/http-api.module';
import { createLogger } from '../../../src/logger';
import { PinoLoggerService } from '../../../src/logger-service';
import type { ConsensusNode } from '../../../src/node/consensus-node';
import { startSingleNode } from '../../support/single-node';

export { ADMIN } from '../../support/single-node';

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
  const single = await startSingleNode(tag, env);
  const { node } = single;
  const apps: INestApplication[] = [];
  return {
    node,
    app: async (trustProxy = false) => {
      const logger = createLogger('fatal', 'n1');
      const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(node, logger, { env: single.env })] }).compile();
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
    token: single.token,
    stop: async () => {
      for (const app of apps) await app.close();
      await single.stop();
    },
  };
}
