import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { nodeConfigFromEnv } from './config/node-config';
import { configureHttpApp } from './http/common/http-api.module';
import { HttpPortHolder } from './node/http-port';
import { listenWithFallback } from './http/listen';
import { startAdminServer } from './http/metrics/admin-server';
import { observeHttp } from './http/metrics/http-observer';
import { buildOpenApiDocument } from './http/openapi';
import { createLogger } from './logger';
import { PinoLoggerService } from './logger-service';
import { ConsensusNode } from './node/consensus-node';
import { failStopOnAssertion } from './shared/fail-stop';

/** Starts one node: consensus side first (MySQL, NATS, replica), then HTTP. */
async function bootstrap(): Promise<void> {
  // Started by `npm run cluster` or the benchmark: stdin is a pipe from the parent, and its end
  // means the parent is gone (even killed with SIGKILL), so the node stops instead of living on.
  let stopping: () => Promise<void> = () => process.exit(0);
  const config = nodeConfigFromEnv(process.env);
  if (config.exitWithParent) {
    process.stdin.on('end', () => void stopping());
    process.stdin.on('error', () => void stopping());
    process.stdin.resume();
  }
  const logger = createLogger(config.logLevel, config.nodeId, undefined, config.logFormat);
  if (config.developmentSecret) logger.warn('NODE_ENV=development and no JWT_SECRET: tokens are signed with the public development secret; never run like this anywhere real');
  const node = await ConsensusNode.start(config, (level, message, fields) => (fields ? logger[level](fields, message) : logger[level](message)));
  const adminPort = config.adminHttpPort;
  const app = await NestFactory.create(AppModule.register(node, logger, { env: process.env, metricsOnMainPort: adminPort === undefined }), { bufferLogs: true });
  // Nest's own lines go to pino directly: no per-request child logger or async context on the API routes.
  app.useLogger(new PinoLoggerService(logger));
  // Before the body parsers, so the requests they refuse are timed and logged too.
  const access = logger.child({ log: 'access' });
  observeHttp(app, { httpRequest: (...a) => node.metrics.httpRequest(...a), log: (level, fields, message) => access[level](fields, message) }, config.accessLog);
  configureHttpApp(app, { trustProxy: config.trustProxy });
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  const admin = adminPort === undefined ? null : await startAdminServer(node.metrics.registry, document, config.adminHttpHost, adminPort);
  if (admin) logger.info({ adminPort }, `node ${config.nodeId} serving /metrics and /api/docs on admin port ${adminPort}`);
  else SwaggerModule.setup('api/docs', app, document);
  const port = await listenWithFallback(app, config.httpHost, config.httpPort, config.httpPortRange, (m) => logger.warn(m));
  app.get(HttpPortHolder).port = port;
  logger.info({ port, url: `http://${config.httpHost}:${port}` }, `node ${config.nodeId} serving HTTP on port ${port}`);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await admin?.close();
    await app.close();
    await node.stop();
    process.exit(0);
  };
  stopping = shutdown;
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

// A broken invariant that reached no handler still stops the node with the fatal line; any other
// uncaught error ends it as Node would (exit code 1).
const onUncaught = (error: unknown) => {
  if (failStopOnAssertion('process', error)) return;
  process.stderr.write(`uncaught error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
};
process.on('uncaughtException', onUncaught);
process.on('unhandledRejection', onUncaught);

bootstrap().catch((error: unknown) => {
  if (failStopOnAssertion('start', error)) return;
  process.stderr.write(`node failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
