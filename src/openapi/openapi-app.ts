import type { INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JwtKeyRing } from '../auth/jwt-keys';
import { TerminusModule } from '@nestjs/terminus';
import { NODE_CONTROLLERS } from '../app.module';
import { AuthService } from '../auth/auth.service';
import { AuthModule } from '../http/auth';
import { HttpApiModule } from '../http/common/http-api.module';
import { HttpPortHolder } from '../node/http-port';
import { METRICS_REGISTRY } from '../http/metrics/metrics.controller';
import { NodeMetrics } from '../node/node-metrics';
import { LiveStreamModule } from '../http/stream/live-stream.module';
import { CONSENSUS_NODE } from '../node/node.tokens';

@Module({})
class OpenApiDocumentModule {}

/** Names Nest looks up on every provider: a stand-in has none (nor `then`: it is no promise). */
const NOT_ON_STAND_INS = new Set(['then', 'onModuleInit', 'onApplicationBootstrap', 'onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown']);

/** Nothing is called while the document is built: a stand-in for every dependency. */
const UNUSED = new Proxy(
  {},
  {
    get: (_target, key) =>
      typeof key === 'symbol' || NOT_ON_STAND_INS.has(key) ? undefined : () => Promise.reject(new Error('not served: this app only describes the API')),
  },
) as never;

/**
 * The node's routes without a node (no MySQL, no NATS): the same controllers and decorators,
 * every dependency a stand-in. For writing the OpenAPI document only; it never listens.
 */
export async function openApiDocumentApp(): Promise<INestApplication> {
  const auth = new AuthService({ find: () => Promise.resolve(undefined) }, new JwtKeyRing([{ kid: 'openapi', secret: 'openapi-document-only-0123456789abcdef' }]), { expiresInSeconds: 3600 });
  const source = { writtenHead: 0, onWritten: () => () => true, readAfter: () => Promise.resolve({ events: [], coveredTo: 0 }), submitterOf: () => undefined };
  return NestFactory.create(
    {
      module: OpenApiDocumentModule,
      imports: [
        TerminusModule,
        AuthModule.register(auth),
        LiveStreamModule.register(source),
        HttpApiModule.register({ gateway: UNUSED, students: UNUSED, scoreRecords: UNUSED, applications: UNUSED, users: UNUSED, projector: UNUSED }),
      ],
      controllers: NODE_CONTROLLERS,
      providers: [{ provide: CONSENSUS_NODE, useValue: UNUSED }, { provide: NodeMetrics, useValue: UNUSED }, { provide: METRICS_REGISTRY, useValue: UNUSED }, HttpPortHolder],
    },
    // Errors throw to the caller (a test, the openapi script) instead of exiting the process.
    { logger: ['error'], abortOnError: false },
  );
}
