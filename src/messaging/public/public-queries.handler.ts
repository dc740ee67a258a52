import { Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg } from 'nats';
import type { Actor, Role } from '../../domain';
import { submitterFilter } from '../../api/application-access';
import { ListApplicationsQueryDto } from '../../api/applications.dto';
import { awaitMinPosition } from '../../api/min-position';
import { ReadQueryDto } from '../../api/paging.dto';
import { STAFF_ROLES, assertMayReadStudent, studentNotFound } from '../../api/student-access';
import { ListStudentsQueryDto } from '../../api/students.dto';
import { clusterStatus } from '../../node/cluster-status';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { ApplicationsRepository, ScoreRecordsRepository, StudentsRepository, readModelDb } from '../../projections';
import { type DtoClass, type PublicReply, authorize, parseJsonObject, serve, validateDto } from './envelope';
import { sagaViewOf } from '../../application/sagas/saga-view';
import {
  EVENTS_READ_LIMIT_DEFAULT,
  GetSagaQueryDto,
  GetStudentQueryDto,
  ReadEventsQueryDto,
  StudentRecordsQueryDto,
} from './public.dto';
import { eventScopeOf, readPublicEvents } from './public-events';
import { PublicRequestGate } from './public-request-gate';

/** One public query subject: who may send it, its body DTO and its read. */
interface QueryRoute<T extends object> {
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly dto: DtoClass<T>;
  readonly read: (query: T, actor: Actor) => Promise<unknown>;
}

/**
 * `behavior.query.*` over NATS: the REST reads with the same role and object-level rules (a
 * student sees only themself, teachers and clubs only their own applications; others' ids answer
 * 404). A body's `minPosition` waits, bounded, for the read models (503 when they lag). Also
 * `query.events.read {fromPosition, limit}` (any role): the public events from the log, no
 * secrets, scoped like REST (`eventScopeOf`: a student their own, teachers and clubs their own
 * applications', an admin all). Served by the members of the cluster only (`LeaderWeightedQueue`).
 */
@Injectable()
export class PublicQueriesHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublicQueriesHandler.name);
  private readonly subscriptions: { close(): void }[] = [];
  private readonly students: StudentsRepository;
  private readonly scoreRecords: ScoreRecordsRepository;
  private readonly applications: ApplicationsRepository;

  constructor(
    @Inject(CONSENSUS_NODE) private readonly node: ConsensusNode,
    private readonly gate: PublicRequestGate,
  ) {
    const db = readModelDb(node.readDb);
    this.students = new StudentsRepository(db);
    this.scoreRecords = new ScoreRecordsRepository(db);
    this.applications = new ApplicationsRepository(db);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Subscribes every query subject (idempotent). */
  start(): void {
    if (this.subscriptions.length > 0) return;
    this.route({
      subject: 'query.students.get',
      roles: [...STAFF_ROLES, 'student'],
      dto: GetStudentQueryDto,
      read: async ({ studentId }, actor) => {
        assertMayReadStudent(actor, studentId);
        const student = await this.students.getStudent(studentId);
        if (student === undefined) throw studentNotFound(studentId);
        return student;
      },
    });
    this.route({
      subject: 'query.students.list',
      roles: STAFF_ROLES,
      dto: ListStudentsQueryDto,
      read: ({ className, page, pageSize }) => this.students.listStudents({ className, page, pageSize }),
    });
    this.route({
      subject: 'query.students.records',
      roles: [...STAFF_ROLES, 'student'],
      dto: StudentRecordsQueryDto,
      read: async ({ studentId, page, pageSize }, actor) => {
        assertMayReadStudent(actor, studentId);
        if ((await this.students.getStudent(studentId)) === undefined) throw studentNotFound(studentId);
        return this.scoreRecords.listRecords(studentId, { page, pageSize });
      },
    });
    this.route({
      subject: 'query.applications.list',
      roles: ['admin', 'teacher', 'club'],
      dto: ListApplicationsQueryDto,
      read: ({ status, page, pageSize }, actor) =>
        this.applications.listApplications({ status, page, pageSize, submittedBy: submitterFilter(actor) }),
    });
    this.route({
      subject: 'query.cluster.status',
      roles: ['admin'],
      dto: ReadQueryDto,
      read: () => Promise.resolve(clusterStatus(this.node, null, 0)),
    });
    this.route({
      subject: 'query.sagas.get',
      roles: ['admin'],
      dto: GetSagaQueryDto,
      read: async ({ sagaId }) => {
        const view = await sagaViewOf(this.node.aggregates, sagaId);
        if (view === undefined) throw new NotFoundException(`saga ${sagaId} not found`);
        return view;
      },
    });
    this.route({
      subject: 'query.events.read',
      roles: [...STAFF_ROLES, 'student'],
      dto: ReadEventsQueryDto,
      read: async ({ fromPosition, limit }, actor) => {
        const scope = eventScopeOf(actor);
        // A scoped read joins the read models: it goes only as far as they have applied.
        const head = scope.kind === 'all' ? this.node.events.writtenHead : Math.min(this.node.events.writtenHead, this.node.projector.position);
        const after = Math.max(0, fromPosition - 1);
        const { events, coveredTo } = await readPublicEvents(readModelDb(this.node.readDb), after, head, limit ?? EVENTS_READ_LIMIT_DEFAULT, undefined, scope);
        return { events, nextPosition: Math.max(fromPosition, coveredTo + 1), head };
      },
    });
  }

  /** Unsubscribes every query subject. */
  stop(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.close();
  }

  private route<T extends object>(route: QueryRoute<T>): void {
    const { publicQueue, config } = this.node;
    const subject = `${config.apiPrefix}.${route.subject}`;
    const onUnexpected = (error: unknown) =>
      this.logger.error(`${route.subject}: ${error instanceof Error ? error.stack : String(error)}`);
    // The members' queue group, the leader no more than any member: every member reads alike.
    this.subscriptions.push(
      publicQueue.subscribe(
        subject,
        `${config.apiPrefix}-nodes`,
        (error, msg) => {
          if (error === null) serve(msg, () => this.handle(route, msg), onUnexpected, this.gate);
        },
        { weighted: false },
      ),
    );
  }

  private async handle<T extends object>(route: QueryRoute<T>, msg: Msg): Promise<PublicReply> {
    const body = parseJsonObject(msg.data);
    const actor = await authorize(msg, this.node.auth.service, route.roles);
    const query = await validateDto(route.dto, body);
    const minPosition = (query as { minPosition?: number }).minPosition;
    await awaitMinPosition(this.node.projector, minPosition);
    return { ok: true, data: await route.read(query, actor), position: this.node.projector.position };
  }
}
