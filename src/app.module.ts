import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { EnvSource } from './config/env-schema';
import { NodeConfigModule } from './config/node-config.module';
import { AuthModule } from './http/auth';
import { HttpApiModule } from './http/common/http-api.module';
import { sagaViewOf } from './application/sagas/saga-view';
import {
  ApplicationsRepository,
  ArchivesRepository,
  ReasonsRepository,
  StatsRepository,
  ScoreRecordsRepository,
  StudentsRepository,
  UsersRepository,
  readModelDb,
} from './projections';
import type { Logger } from 'pino';
import { ClusterController } from './http/cluster/cluster.controller';
import { CommandsController } from './http/commands/commands.controller';
import { HealthController } from './http/health/health.controller';
import { HttpPortHolder } from './node/http-port';
import { METRICS_REGISTRY, MetricsController } from './http/metrics/metrics.controller';
import { webAppModule } from './http/web-app';
import type { ExportReads } from './http/common/tokens';
import { LIVE_STREAM_LIMITS } from './http/stream/live-stream';
import { LiveStreamModule } from './http/stream/live-stream.module';
import { nodeLiveEventSource } from './node/live-event-source';
import { NodeMetrics } from './node/node-metrics';
import { LeaderLocator } from './messaging/leader-locator';
import { LogAppendHandler } from './messaging/log-append.handler';
import { NodeStatusHandler } from './messaging/node-status.handler';
import { EventFeedPublisher, PublicCommandsHandler, PublicQueriesHandler, PublicRequestGate } from './messaging/public';
import type { ConsensusNode } from './node/consensus-node';
import { CONSENSUS_NODE } from './node/node.tokens';

/** The keyset pages CSV exports stream, from the students and score_records read models. */
function exportReads(db: ReturnType<typeof readModelDb>): ExportReads {
  const students = new StudentsRepository(db);
  const records = new ScoreRecordsRepository(db);
  return { studentsAfter: (...args) => students.studentsAfter(...args), recordsAfter: (...args) => records.recordsAfter(...args) };
}

/** The controllers of the node itself (besides the domain API, auth and the live stream). */
export const NODE_CONTROLLERS = [ClusterController, HealthController, MetricsController, CommandsController];

/** How the app module is laid out. */
export interface AppOptions {
  /** The environment the node's settings were read from (process.env in main.ts): NodeConfigModule reads it with the same schema. */
  readonly env: EnvSource;
  /** False when an admin port serves `/metrics` instead (ADMIN_HTTP_PORT); default true. */
  readonly metricsOnMainPort?: boolean;
}

/** The node's HTTP and NATS surface around an already started ConsensusNode. */
@Module({})
export class AppModule {
  static register(node: ConsensusNode, logger: Logger, options: AppOptions): DynamicModule {
    const controllers = options.metricsOnMainPort === false ? NODE_CONTROLLERS.filter((c) => c !== MetricsController) : NODE_CONTROLLERS;
    const webApp = webAppModule((message) => logger.warn(message));
    const port = new HttpPortHolder();
    const leaderHints = new LeaderLocator(node.nats, node.config, node.driver, () => port.port);
    return {
      module: AppModule,
      imports: [
        NodeConfigModule.forRoot(options.env),
        ...(webApp === null ? [] : [webApp]),
        TerminusModule,
        // Before AuthModule: the rate limit runs before the auth guard, so refused tokens count too.
        HttpApiModule.register({
          gateway: node.commands,
          students: new StudentsRepository(readModelDb(node.readDb)),
          scoreRecords: new ScoreRecordsRepository(readModelDb(node.readDb)),
          applications: new ApplicationsRepository(readModelDb(node.readDb)),
          users: new UsersRepository(readModelDb(node.readDb)),
          archives: new ArchivesRepository(readModelDb(node.readDb)),
          reasons: new ReasonsRepository(readModelDb(node.readDb)),
          scoreRange: node.config.scoreRules,
          stats: new StatsRepository(readModelDb(node.readDb), node.config.schoolTimeZone),
          exports: exportReads(readModelDb(node.readDb)),
          sagas: {
            getSaga: (id) => sagaViewOf(node.aggregates, id),
          },
          projector: node.projector,
          quorum: node,
          asyncCommands: node.commandQueue,
          leaderHints,
          rateLimits: [
            { name: 'burst', ttl: 1000, limit: node.config.httpRateLimitPerSecond },
            { name: 'sustained', ttl: 60_000, limit: 30 * node.config.httpRateLimitPerSecond },
          ],
        }),
        AuthModule.register(node.auth.service, { loginThrottle: node.config.loginThrottle, commands: node.commands }),
        LiveStreamModule.register(nodeLiveEventSource(node), { ...LIVE_STREAM_LIMITS, keepAliveMs: node.config.liveStreamKeepAliveMs }),
      ],
      controllers,
      providers: [
        { provide: CONSENSUS_NODE, useValue: node },
        { provide: METRICS_REGISTRY, useValue: node.metrics.registry },
        NodeMetrics,
        { provide: HttpPortHolder, useValue: port },
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
