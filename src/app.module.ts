import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from './http/auth';
import { HttpApiModule } from './http/common/http-api.module';
import { sagaViewOf } from './application/sagas/saga-view';
import {
  ApplicationsRepository,
  ArchivesRepository,
  ScoreRecordsRepository,
  StudentsRepository,
  UsersRepository,
  readModelDb,
} from './projections';
import type { Logger } from 'pino';
import { httpLoggerModule } from './logger';
import { ClusterController } from './http/cluster/cluster.controller';
import { CommandsController } from './http/commands/commands.controller';
import { HealthController } from './http/health/health.controller';
import { HttpPortHolder } from './http/http-port';
import { METRICS_REGISTRY, MetricsController } from './http/metrics/metrics.controller';
import { NodeMetrics } from './http/metrics/node-metrics';
import { LogAppendHandler } from './messaging/log-append.handler';
import { NodeStatusHandler } from './messaging/node-status.handler';
import { EventFeedPublisher, PublicCommandsHandler, PublicQueriesHandler, PublicRequestGate } from './messaging/public';
import type { ConsensusNode } from './node/consensus-node';
import { CONSENSUS_NODE } from './node/node.tokens';

/** How the app module is laid out. */
export interface AppOptions {
  /** False when an admin port serves `/metrics` instead (ADMIN_HTTP_PORT); default true. */
  readonly metricsOnMainPort?: boolean;
}

/** The node's HTTP and NATS surface around an already started ConsensusNode. */
@Module({})
export class AppModule {
  static register(node: ConsensusNode, logger: Logger, options: AppOptions = {}): DynamicModule {
    const metrics = options.metricsOnMainPort === false ? [] : [MetricsController];
    return {
      module: AppModule,
      imports: [
        TerminusModule,
        httpLoggerModule(logger),
        // Before AuthModule: the rate limit runs before the auth guard, so refused tokens count too.
        HttpApiModule.register({
          gateway: node.commands,
          students: new StudentsRepository(readModelDb(node.readDb)),
          scoreRecords: new ScoreRecordsRepository(readModelDb(node.readDb)),
          applications: new ApplicationsRepository(readModelDb(node.readDb)),
          users: new UsersRepository(readModelDb(node.readDb)),
          archives: new ArchivesRepository(readModelDb(node.readDb)),
          sagas: {
            getSaga: (id) => sagaViewOf(node.aggregates, id),
          },
          projector: node.projector,
          quorum: node,
          asyncCommands: node.commandQueue,
          rateLimits: [
            { name: 'burst', ttl: 1000, limit: node.config.httpRateLimitPerSecond },
            { name: 'sustained', ttl: 60_000, limit: 30 * node.config.httpRateLimitPerSecond },
          ],
        }),
        AuthModule.register(node.auth.service, { loginThrottle: node.config.loginThrottle }),
      ],
      controllers: [ClusterController, HealthController, ...metrics, CommandsController],
      providers: [
        { provide: CONSENSUS_NODE, useValue: node },
        { provide: METRICS_REGISTRY, useValue: node.metrics.registry },
        NodeMetrics,
        HttpPortHolder,
        LogAppendHandler,
        NodeStatusHandler,
        PublicRequestGate,
        PublicCommandsHandler,
        PublicQueriesHandler,
        EventFeedPublisher,
      ],
    };
  }
}
