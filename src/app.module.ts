import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from './http/auth';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ClusterController } from './http/cluster/cluster.controller';
import { HealthController } from './http/health/health.controller';
import { HttpPortHolder } from './http/http-port';
import { MetricsController } from './http/metrics/metrics.controller';
import { NodeMetrics } from './http/metrics/node-metrics';
import { LogAppendHandler } from './messaging/log-append.handler';
import type { ConsensusNode } from './node/consensus-node';
import { CONSENSUS_NODE } from './node/node.tokens';

/** The node's HTTP and NATS surface around an already started ConsensusNode. */
@Module({})
export class AppModule {
  static register(node: ConsensusNode, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [TerminusModule, LoggerModule.forRoot({ pinoHttp: { logger, autoLogging: false } }), AuthModule.register(node.auth.service)],
      controllers: [ClusterController, HealthController, MetricsController],
      providers: [{ provide: CONSENSUS_NODE, useValue: node }, NodeMetrics, HttpPortHolder, LogAppendHandler],
    };
  }
}
