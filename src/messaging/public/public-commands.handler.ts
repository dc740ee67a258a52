import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg } from 'nats';
import type { ApiCommand } from '../../application/command-gateway';
import { requestIdOf } from '../../application/write-metrics';
import type { Role } from '../../domain';
import { ReviewApplicationCommandDto, RetrySagaCommandDto } from './public.dto';
import { SubmitApplicationDto } from '../../api/applications.dto';
import { commandData } from '../../api/command-data';
import { StartArchiveDto } from '../../api/archives.dto';
import { BATCH_BODY_BYTES_MAX, BatchScoreChangeDto, ScoreChangeDto, batchScoresCommand } from '../../api/scores.dto';
import { RegisterStudentDto } from '../../api/students.dto';
import { CreateUserDto } from '../../api/users.dto';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import {
  type DtoClass,
  type PublicReply,
  authorize,
  idempotencyKeyOf,
  parseJsonObject,
  serve,
  validateDto,
} from './envelope';
import { PublicRequestGate } from './public-request-gate';

/** One public command subject: who may send it, the REST DTO of its body, the command it runs. */
interface CommandRoute {
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly dto: DtoClass<object>;
  readonly command: (data: object) => ApiCommand;
  /** Fields the REST answer adds to the command's result. */
  readonly extra?: Record<string, unknown>;
  /** The largest body accepted (default PUBLIC_BODY_BYTES_MAX). */
  readonly bodyBytesMax?: number;
}

/** The public command subjects, after the API prefix. */
export const PUBLIC_COMMAND_ROUTES: readonly CommandRoute[] = [
  {
    subject: 'cmd.users.create',
    roles: ['admin'],
    dto: CreateUserDto,
    command: (data) => ({ name: 'users.create', data: data as CreateUserDto }),
  },
  {
    subject: 'cmd.students.register',
    roles: ['admin'],
    dto: RegisterStudentDto,
    command: (data) => ({ name: 'students.register', data: data as RegisterStudentDto }),
  },
  {
    subject: 'cmd.scores.modify',
    roles: ['admin'],
    dto: ScoreChangeDto,
    command: (data) => ({ name: 'scores.modify', data: data as ScoreChangeDto }),
  },
  {
    subject: 'cmd.applications.submit',
    roles: ['teacher', 'club'],
    dto: SubmitApplicationDto,
    command: (data) => ({ name: 'applications.submit', data: data as SubmitApplicationDto }),
    extra: { status: 'pending' },
  },
  {
    subject: 'cmd.applications.review',
    roles: ['admin'],
    dto: ReviewApplicationCommandDto,
    command: (data) => ({ name: 'applications.review', data: data as ReviewApplicationCommandDto }),
  },
  {
    subject: 'cmd.scores.batch',
    roles: ['admin', 'club'],
    dto: BatchScoreChangeDto,
    command: (data) => batchScoresCommand(data as BatchScoreChangeDto),
    bodyBytesMax: BATCH_BODY_BYTES_MAX,
  },
  {
    subject: 'cmd.archives.start',
    roles: ['admin'],
    dto: StartArchiveDto,
    command: (data) => ({ name: 'archives.start', data: data as StartArchiveDto }),
  },
  {
    subject: 'cmd.sagas.retry',
    roles: ['admin'],
    dto: RetrySagaCommandDto,
    command: (data) => ({ name: 'sagas.retry', data: data as RetrySagaCommandDto }),
  },
];

/**
 * `behavior.cmd.*` over NATS: the REST writes with the same checks in the same order (413/400
 * body, 401 token, 403 role, 400 fields, 400 Idempotency-Key), run through the node's CommandGateway. Any
 * member serves (queue group; a node not in the configuration leaves it); the gateway forwards to the leader. Replies
 * `{ok: true, data: <REST answer body>, position}` or `{ok: false, error}`.
 */
@Injectable()
export class PublicCommandsHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublicCommandsHandler.name);
  private subscriptions: { close(): void }[] | undefined;

  constructor(
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
    private readonly gate: PublicRequestGate,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Subscribes every command subject (idempotent). */
  start(): void {
    if (this.subscriptions !== undefined) return;
    const { publicQueue, config } = this.node;
    // Weighted towards the leader, which decides every command: most requests skip the forwarding hop.
    this.subscriptions = PUBLIC_COMMAND_ROUTES.map((route) =>
      publicQueue.subscribe(`${config.apiPrefix}.${route.subject}`, `${config.apiPrefix}-nodes`, (error, msg) => {
        if (error === null) this.serve(route, msg);
      }),
    );
  }

  /** Unsubscribes every command subject. */
  stop(): void {
    for (const subscription of this.subscriptions ?? []) subscription.close();
    this.subscriptions = undefined;
  }

  private serve(route: CommandRoute, msg: Msg): void {
    serve(
      msg,
      () => this.handle(route, msg),
      (error) => this.logger.error(`${route.subject}: ${error instanceof Error ? error.stack : String(error)}`),
      this.gate,
    );
  }

  private async handle(route: CommandRoute, msg: Msg): Promise<PublicReply> {
    const body = parseJsonObject(msg.data, route.bodyBytesMax);
    const actor = await authorize(msg, this.node.auth.service, route.roles);
    const dto = await validateDto(route.dto, body);
    const key = idempotencyKeyOf(msg);
    const answer = await this.node.commands.execute(route.command(commandData(dto)), actor, key, { source: 'nats', requestId: requestIdOf(msg.headers?.get('X-Request-Id')) });
    const data = { ...answer.result, commandId: answer.commandId, position: answer.position, ...route.extra };
    return { ok: true, data, position: answer.position };
  }
}
