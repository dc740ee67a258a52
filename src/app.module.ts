import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
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
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ClusterController } from './http/cluster/cluster.controller';
import { CommandsController } from './http/commands/commands.controller';
import { HealthController } from './http/health/health.controller';
import { HttpPortHolder } from './http/http-port';
import { MetricsController } from './http/metrics/metrics.controller';
import { webAppModule } from './http/web-app';
import type { ExportReads } from './http/common/tokens';
import { LIVE_STREAM_LIMITS } from './http/stream/live-stream';
import { LiveStreamModule } from './http/stream/live-stream.module';
import { nodeLiveEventSource } from './node/live-event-source';
import { NodeMetrics } from './http/metrics/node-metrics';
import { LogAppendHandler } from './messaging/log-append.handler';
import { NodeStatusHandler } from './messaging/node-status.handler';
import { EventFeedPublisher, PublicCommandsHandler, PublicQueriesHandler } from './messaging/public';
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

/** The node's HTTP and NATS surface around an already started ConsensusNode. */
@Module({})
export class AppModule {
  static register(node: ConsensusNode, logger: Logger): DynamicModule {
    const webApp = webAppModule((message) => logger.warn(message));
    return {
      module: AppModule,
      imports: [
        ...(webApp === null ? [] : [webApp]),
        TerminusModule,
        LoggerModule.forRoot({ pinoHttp: { logger, autoLogging: false } }),
        AuthModule.register(node.auth.service),
        LiveStreamModule.register(nodeLiveEventSource(node), { ...LIVE_STREAM_LIMITS, keepAliveMs: node.config.liveStreamKeepAliveMs }),
        HttpApiModule.register({
          gateway: node.commands,
          students: new StudentsRepository(readModelDb(node.db)),
          scoreRecords: new ScoreRecordsRepository(readModelDb(node.db)),
          applications: new ApplicationsRepository(readModelDb(node.db)),
          users: new UsersRepository(readModelDb(node.db)),
          archives: new ArchivesRepository(readModelDb(node.db)),
          reasons: new ReasonsRepository(readModelDb(node.db)),
          scoreRange: node.config.scoreRules,
          stats: new StatsRepository(readModelDb(node.db)),
          exports: exportReads(readModelDb(node.db)),
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
      ],
      controllers: NODE_CONTROLLERS,
      providers: [
        { provide: CONSENSUS_NODE, useValue: node },
        NodeMetrics,
        HttpPortHolder,
        LogAppendHandler,
        NodeStatusHandler,
        PublicCommandsHandler,
        PublicQueriesHandler,
        EventFeedPublisher,
      ],
    };
  }
}
