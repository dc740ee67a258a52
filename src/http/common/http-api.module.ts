import { type DynamicModule, type INestApplication, Module, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type ThrottlerOptions, ThrottlerModule } from '@nestjs/throttler';
import { COMMAND_GATEWAY, type CommandGateway } from '../../application/command-gateway';
import type { AsyncCommands } from '../../application/command-queue';
import { ApplicationsController } from '../applications/applications.controller';
import { ArchivesController } from '../archives/archives.controller';
import { SagasController } from '../sagas/sagas.controller';
import { ScoresController } from '../scores/scores.controller';
import { StudentsController } from '../students/students.controller';
import { MeController } from '../users/me.controller';
import { ReasonsController } from '../reasons/reasons.controller';
import { ExportsController } from '../stats/exports.controller';
import { StatsController } from '../stats/stats.controller';
import { UsersController } from '../users/users.controller';
import { json, type NextFunction, type Request, type Response } from 'express';
import { jsonBodyError } from '../../api/api-error';
import { ApiExceptionFilter } from './api-exception.filter';
import { CommandRunner } from './command-runner';
import { MinPositionInterceptor } from './min-position';
import { LazyThrottlerStorage } from './lazy-throttler-storage';
import { RateLimitGuard } from './rate-limit.guard';
import { RolesGuard } from '../auth/roles.guard';
import { configureSecurityHeaders } from './security-headers';
import {
  APPLICATIONS_REPOSITORY,
  ARCHIVES_REPOSITORY,
  ASYNC_COMMANDS,
  type ApplicationsReads,
  type ArchivesReads,
  LEADER_HINTS,
  type LeaderHints,
  QUORUM_PROBE,
  type QuorumProbe,
  REASONS_REPOSITORY,
  type ReasonsReads,
  SCORE_RANGE,
  type ScoreRange,
  STATS_REPOSITORY,
  type StatsReads,
  EXPORT_READS,
  type ExportReads,
  SAGAS_READS,
  type SagasReads,
  READ_PROJECTOR,
  type ReadModelPosition,
  SCORE_RECORDS_REPOSITORY,
  STUDENTS_REPOSITORY,
  type ScoreRecordsReads,
  type StudentsReads,
  USERS_REPOSITORY,
  type UsersReads,
} from './tokens';
import { BATCH_BODY_BYTES_MAX } from '../../api/scores.dto';
import { validationPipe } from './validation-pipe';
import { DEFAULT_SCORE_RULES } from '../../domain';

/** Largest request body accepted (413 above it). */
export const BODY_LIMIT = '16kb';

/** Requests per signed-in user, else per client address: a burst bound per second and a sustained bound per minute (429 above). */
export const DEFAULT_RATE_LIMITS: ThrottlerOptions[] = [
  { name: 'burst', ttl: 1000, limit: 100 },
  { name: 'sustained', ttl: 60_000, limit: 3000 },
];

/** The controllers of the domain API (users, students, scores, applications). */
export const HTTP_API_CONTROLLERS: Type[] = [
  UsersController,
  MeController,
  StudentsController,
  ScoresController,
  ApplicationsController,
  ArchivesController,
  SagasController,
  ReasonsController,
  StatsController,
  ExportsController,
];

/** What the domain API is served from: the write path and the read side of this node. */
export interface HttpApiDependencies {
  readonly gateway: CommandGateway;
  readonly students: StudentsReads;
  readonly scoreRecords: ScoreRecordsReads;
  readonly applications: ApplicationsReads;
  readonly users: UsersReads;
  /** Archive reads (none: every archive read answers as if nothing was archived). */
  readonly archives?: ArchivesReads;
  /** Saga reads (none: no saga is known). */
  readonly sagas?: SagasReads;
  /** The reason catalogue (none: an empty catalogue). */
  readonly reasons?: ReasonsReads;
  /** The configured score range (default DEFAULT_SCORE_RULES). */
  readonly scoreRange?: ScoreRange;
  /** The start page's and the charts' reads (none: empty figures). */
  readonly stats?: StatsReads;
  /** The keyset pages of the CSV exports (none: empty files). */
  readonly exports?: ExportReads;
  /** The live read models' Projector (X-Min-Position waits on it). */
  readonly projector: ReadModelPosition;
  /** Whether the node counts on a quorum (reads answer `X-Consistency: stale` without one); default: always. */
  readonly quorum?: QuorumProbe;
  /** The durable queue of `Prefer: respond-async` writes; without it that preference is ignored. */
  readonly asyncCommands?: AsyncCommands;
  /** The leader hint write answers carry (`X-Leader-Id`, `X-Leader-Url`); none: no hint. */
  readonly leaderHints?: LeaderHints;
  /** Rate limits (default DEFAULT_RATE_LIMITS). */
  readonly rateLimits?: ThrottlerOptions[];
}

/**
 * Every provider of the domain API: the dependencies under their tokens, the helpers the
 * controllers inject, and the global filter, pipe and rate-limit guard.
 */
export function httpApiProviders(deps: HttpApiDependencies): Provider[] {
  return [
    { provide: COMMAND_GATEWAY, useValue: deps.gateway },
    { provide: STUDENTS_REPOSITORY, useValue: deps.students },
    { provide: SCORE_RECORDS_REPOSITORY, useValue: deps.scoreRecords },
    { provide: APPLICATIONS_REPOSITORY, useValue: deps.applications },
    { provide: USERS_REPOSITORY, useValue: deps.users },
    { provide: ARCHIVES_REPOSITORY, useValue: deps.archives ?? NO_ARCHIVES },
    { provide: SAGAS_READS, useValue: deps.sagas ?? NO_SAGAS },
    { provide: REASONS_REPOSITORY, useValue: deps.reasons ?? NO_REASONS },
    { provide: SCORE_RANGE, useValue: deps.scoreRange ?? DEFAULT_SCORE_RULES },
    { provide: STATS_REPOSITORY, useValue: deps.stats ?? NO_STATS },
    { provide: EXPORT_READS, useValue: deps.exports ?? NO_EXPORTS },
    { provide: READ_PROJECTOR, useValue: deps.projector },
    { provide: QUORUM_PROBE, useValue: deps.quorum ?? { hasQuorum: () => true } },
    { provide: ASYNC_COMMANDS, useValue: deps.asyncCommands ?? null },
    { provide: LEADER_HINTS, useValue: deps.leaderHints ?? null },
    CommandRunner,
    RolesGuard,
    MinPositionInterceptor,
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_PIPE, useFactory: validationPipe },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ];
}

const NO_ARCHIVES: ArchivesReads = {
  listArchives: (request) => Promise.resolve({ items: [], page: request?.page ?? 1, pageSize: request?.pageSize ?? 20, total: 0, totalCapped: false }),
  getArchivedStudent: () => Promise.resolve(undefined),
};
const NO_SAGAS: SagasReads = { getSaga: () => Promise.resolve(undefined) };
const NO_STATS: StatsReads = {
  today: (now) => new Date(now).toISOString().slice(0, 10),
  overview: (_today, range) => Promise.resolve({ pendingReviews: 0, todayChanges: 0, classes: [], nearBounds: [], scoreRange: range, margin: 0 }),
  classDaily: () => Promise.resolve([]),
  scoreHistory: () => Promise.resolve([]),
};
const NO_EXPORTS: ExportReads = { studentsAfter: () => Promise.resolve([]), recordsAfter: () => Promise.resolve([]) };
const NO_REASONS: ReasonsReads = { listReasons: () => Promise.resolve([]), getReason: () => Promise.resolve(undefined) };

/**
 * The domain API as one module. Import it once into the app module, before the auth module: its
 * global rate limit (RateLimitGuard) then runs before the auth guard, so refused tokens are
 * counted. The auth guard (which puts the Actor on `request.actor`) must be a global guard
 * (APP_GUARD), so it runs before the controllers' RolesGuard. Then call configureHttpApp(app)
 * before listening.
 *
 * @example
 * imports: [HttpApiModule.register({ gateway, students, scoreRecords, applications, users, projector })]
 */
@Module({})
export class HttpApiModule {
  static register(deps: HttpApiDependencies): DynamicModule {
    return {
      module: HttpApiModule,
      // Lazy expiry: the module's default storage sets a timer per request.
      imports: [ThrottlerModule.forRoot({ throttlers: deps.rateLimits ?? DEFAULT_RATE_LIMITS, storage: new LazyThrottlerStorage() })],
      controllers: HTTP_API_CONTROLLERS,
      providers: httpApiProviders(deps),
      exports: [COMMAND_GATEWAY, READ_PROJECTOR, QUORUM_PROBE, ASYNC_COMMANDS, STUDENTS_REPOSITORY, SCORE_RECORDS_REPOSITORY, APPLICATIONS_REPOSITORY, USERS_REPOSITORY],
    };
  }
}

/**
 * Which proxies' `X-Forwarded-For` the node believes (Express's `trust proxy`): none (false, the
 * default: the client address is the TCP peer), a number of proxy hops, or addresses/subnets.
 */
export type TrustProxy = false | number | readonly string[];

/**
 * Application-level HTTP settings the module cannot make: `trust proxy`, cookies and security
 * headers (security-headers.ts), the 16 kB body limit
 * (413) for JSON and urlencoded bodies, and the API's message for a JSON body it cannot read (Nest
 * would pass on the parser's own). Call after NestFactory.create and before listen/init.
 */
export function configureHttpApp(app: INestApplication, options: { readonly trustProxy?: TrustProxy } = {}): void {
  const express = app as NestExpressApplication;
  const trust = options.trustProxy ?? false;
  express.set('trust proxy', Array.isArray(trust) ? [...trust] : trust);
  configureSecurityHeaders(app);
  // Registered first, so the general parser finds the batch body already read.
  express.use('/api/scores/batch', json({ limit: BATCH_BODY_BYTES_MAX }));
  express.useBodyParser('json', { limit: BODY_LIMIT });
  express.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: true });
  express.use((error: unknown, _request: Request, _response: Response, next: NextFunction) => next(jsonBodyError(error) ?? error));
}
