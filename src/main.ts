import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { nodeConfigFromEnv } from './config/node-config';
import { configureHttpApp } from './http/common/http-api.module';
import { HttpPortHolder } from './http/http-port';
import { listenWithFallback } from './http/listen';
import { buildOpenApiDocument } from './http/openapi';
import { createLogger } from './logger';
import { ConsensusNode } from './node/consensus-node';

/** Starts one node: consensus side first (MySQL, NATS, replica), then HTTP. */
async function bootstrap(): Promise<void> {
  // Started by `npm run cluster` or the benchmark: stdin is a pipe from the parent, and its end
  // means the parent is gone (even killed with SIGKILL), so the node stops instead of living on.
  let stopping: () => Promise<void> = () => process.exit(0);
  if (process.env.EXIT_WITH_PARENT === '1') {
    process.stdin.on('end', () => void stopping());
    process.stdin.on('error', () => void stopping());
    process.stdin.resume();
  }
  const config = nodeConfigFromEnv(process.env);
  const logger = createLogger(config.logLevel, config.nodeId);
  const node = await ConsensusNode.start(config, (level, message) => logger[level](message));
  const app = await NestFactory.create(AppModule.register(node, logger), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  configureHttpApp(app);
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document);
  const port = await listenWithFallback(app, config.httpHost, config.httpPort, config.httpPortRange, (m) => logger.warn(m));
  app.get(HttpPortHolder).port = port;
  logger.info({ port, url: `http://${config.httpHost}:${port}` }, `node ${config.nodeId} serving HTTP on port ${port}`);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await node.stop();
    process.exit(0);
  };
  stopping = shutdown;
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`node failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
