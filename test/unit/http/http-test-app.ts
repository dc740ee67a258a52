import { type CanActivate, type ExecutionContext, type INestApplication, Injectable, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { ThrottlerOptions } from '@nestjs/throttler';
import type { ApiCommand, CommandAnswer, CommandGateway } from '../../../src/application/command-gateway';
import type { Actor, ApplicationStatus, Role } from '../../../src/domain';
import { type HttpApiDependencies, HttpApiModule, configureHttpApp } from '../../../src/http/common/http-api.module';
import type {
  ApplicationsReads,
  ArchivesReads,
  ReadModelPosition,
  ScoreRecordsReads,
  StudentsReads,
  UsersReads,
} from '../../../src/http/common/tokens';
import type {
  ApplicationListRequest,
  ApplicationView,
  ArchiveView,
  ArchivedStudentView,
  Page,
  PageRequest,
  ScoreRecordView,
  StudentListRequest,
  StudentView,
  UserView,
} from '../../../src/projections';
import { ProjectionTimeoutError, pageWindow } from '../../../src/projections';

/** The header the fake auth guard reads the actor from: `role:username[:studentId]`. */
export const ACTOR_HEADER = 'x-test-actor';

/** Actors of every role; `student` is bound to s-1. */
export const ACTORS = {
  admin: 'admin:root',
  teacher: 'teacher:tina',
  club: 'club:chess',
  student: 'student:sam:s-1',
} as const satisfies Record<Role, string>;

/** Stands in for the auth guard being written elsewhere: it puts the Actor on `request.actor`. */
@Injectable()
class FakeAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; actor?: Actor }>();
    const header = request.headers[ACTOR_HEADER];
    if (header === undefined) throw new UnauthorizedException('no token');
    const [role, username, studentId] = header.split(':');
    request.actor = studentId === undefined ? { username, role: role as Role } : { username, role: role as Role, studentId };
    return true;
  }
}

/** One call the fake gateway received. */
export interface GatewayCall {
  readonly command: ApiCommand;
  readonly actor: Actor;
  readonly idempotencyKey: string | undefined;
}

/**
 * An in-memory CommandGateway: answers with increasing positions, repeats the first answer of an
 * Idempotency-Key, or throws what `failWith` holds (or what `failWhen` answers for the call).
 */
export class FakeGateway implements CommandGateway {
  readonly calls: GatewayCall[] = [];
  failWith: unknown = undefined;
  failWhen: ((call: GatewayCall) => unknown) | undefined = undefined;
  answerPosition: number | null | undefined = undefined;
  private position = 100;
  private readonly byKey = new Map<string, CommandAnswer>();

  async execute(command: ApiCommand, actor: Actor, idempotencyKey?: string): Promise<CommandAnswer> {
    const call = { command, actor, idempotencyKey };
    this.calls.push(call);
    const failure = this.failWith ?? this.failWhen?.(call);
    if (failure !== undefined) throw failure;
    const first = idempotencyKey === undefined ? undefined : this.byKey.get(idempotencyKey);
    if (first !== undefined) return { ...first, duplicate: true };
    this.position += 1;
    const position = this.answerPosition === undefined ? this.position : this.answerPosition;
    const answer: CommandAnswer = { commandId: idempotencyKey ?? `cmd-${this.position}`, position, result: resultOf(command, this.position), duplicate: false };
    if (idempotencyKey !== undefined) this.byKey.set(idempotencyKey, answer);
    return answer;
  }

  executeAs(command: ApiCommand, actor: Actor, commandId: string): Promise<CommandAnswer> {
    return this.execute(command, actor, commandId);
  }
}

function resultOf(command: ApiCommand, position: number): Record<string, unknown> {
  switch (command.name) {
    case 'applications.submit':
      return { applicationId: `app-${position}` };
    case 'applications.review':
      return { applicationId: command.data.applicationId, status: command.data.decision === 'approve' ? 'approved' : 'rejected' };
    case 'users.create':
    case 'users.update':
    case 'users.password':
      return { username: command.data.username };
    case 'users.classes':
      return { username: command.data.username, classes: command.data.classes.map((c) => c.trim()) };
    case 'users.logout':
      return { username: command.data.username, tokenId: command.data.tokenId };
    case 'scores.batch':
    case 'archives.start':
      return { sagaId: `saga-${position}`, status: 'running' };
    case 'sagas.retry':
      return { sagaId: command.data.sagaId, status: 'retrying' };
    case 'reasons.create':
    case 'reasons.update':
      return { code: command.data.code };
    default:
      return { studentId: command.data.studentId };
  }
}

/** A projector whose position the test moves; waits resolve when it gets there, or time out at once when `stalled`. */
export class FakeProjector implements ReadModelPosition {
  position = 1000;
  stalled = false;
  readonly waits: { position: number; timeoutMs: number }[] = [];
  private readonly waiting: { position: number; resolve: () => void }[] = [];

  waitFor(position: number, timeoutMs: number): Promise<void> {
    this.waits.push({ position, timeoutMs });
    if (position <= this.position) return Promise.resolve();
    if (this.stalled) return Promise.reject(new ProjectionTimeoutError(position, this.position, timeoutMs));
    return new Promise((resolve) => this.waiting.push({ position, resolve }));
  }

  advance(position: number): void {
    this.position = position;
    for (const w of this.waiting.filter((x) => x.position <= position)) w.resolve();
  }
}

function page<T>(items: T[], request: PageRequest): Page<T> {
  const { page: p, pageSize, offset } = pageWindow(request);
  return { items: items.slice(offset, offset + pageSize), page: p, pageSize, total: items.length };
}

/** In-memory read models with a few rows; tests see the requests they received. */
export class FakeReadModels implements StudentsReads, ScoreRecordsReads, ApplicationsReads, UsersReads, ArchivesReads {
  readonly studentLists: StudentListRequest[] = [];
  readonly applicationLists: ApplicationListRequest[] = [];
  readonly students = new Map<string, StudentView>(['s-1', 's-2', 's-3'].map((id, i) => [id, student(id, i % 2 === 0 ? '7A' : '7B')]));
  readonly records: ScoreRecordView[] = [record('s-1', 5, 1), record('s-1', -2, 2), record('s-2', 3, 3)];
  readonly applications = new Map<string, ApplicationView>([
    ['app-1', application('app-1', 'tina', 'pending')],
    ['app-2', application('app-2', 'chess', 'approved')],
    ['app-3', application('app-3', 'tina', 'rejected')],
  ]);
  readonly users = new Map<string, UserView>([['tina', { username: 'tina', role: 'teacher', displayName: 'Tina', studentId: null, disabled: false, classes: ['7A'], position: 4 }]]);

  /** Semester 2025-fall archived every student. */
  async listArchives(): Promise<Page<ArchiveView>> {
    const archive = { archiveId: 'saga-1', semester: '2025-fall', className: null, studentCount: this.students.size, completedAt: '2025-03-01T08:00:00.000Z', position: 9 };
    return { items: [archive], page: 1, pageSize: 20, total: 1 };
  }

  async getArchivedStudent(semester: string, studentId: string): Promise<ArchivedStudentView | undefined> {
    const s = this.students.get(studentId);
    if (semester !== '2025-fall' || s === undefined) return undefined;
    return { archiveId: 'saga-1', semester, studentId, name: s.name, className: s.className, score: s.score, position: 9 };
  }

  async getStudent(studentId: string): Promise<StudentView | undefined> {
    return this.students.get(studentId);
  }
  async listStudents(request: StudentListRequest = {}): Promise<Page<StudentView>> {
    this.studentLists.push(request);
    return page([...this.students.values()].filter((s) => request.className === undefined || s.className === request.className), request);
  }
  async listRecords(studentId: string, request: PageRequest = {}): Promise<Page<ScoreRecordView>> {
    return page(this.records.filter((r) => r.studentId === studentId).reverse(), request);
  }
  async getApplication(applicationId: string): Promise<ApplicationView | undefined> {
    return this.applications.get(applicationId);
  }
  async listApplications(request: ApplicationListRequest = {}): Promise<Page<ApplicationView>> {
    this.applicationLists.push(request);
    const all = [...this.applications.values()].filter(
      (a) => (request.status === undefined || a.status === request.status) && (request.submittedBy === undefined || a.submittedBy === request.submittedBy),
    );
    return page(all, request);
  }
  async listUsers(request: PageRequest & { role?: Role } = {}): Promise<Page<UserView>> {
    return page([...this.users.values()].filter((u) => request.role === undefined || u.role === request.role), request);
  }
  async getUser(username: string): Promise<UserView | undefined> {
    return this.users.get(username);
  }
}

function student(studentId: string, className: string): StudentView {
  return { studentId, name: `Student ${studentId}`, className, score: 100, initialScore: 100, frozen: false, archived: false, updatedAt: '2025-01-01T00:00:00.000Z', position: 1 };
}

function record(studentId: string, delta: number, position: number): ScoreRecordView {
  return { position, studentId, delta, reason: 'why', actor: { username: 'root', role: 'admin' }, source: 'direct', newScore: 100 + delta, sagaId: null, applicationId: null, at: '2025-01-01T00:00:00.000Z', reasonCode: null };
}

function application(applicationId: string, submittedBy: string, status: ApplicationStatus): ApplicationView {
  const reviewed = status !== 'pending';
  return {
    applicationId, studentId: 's-1', delta: 3, reason: 'helped', submittedBy, status,
    reviewer: reviewed ? 'root' : null, comment: reviewed ? 'ok' : null,
    submittedAt: '2025-01-01T00:00:00.000Z', reviewedAt: reviewed ? '2025-01-02T00:00:00.000Z' : null, position: 10, reasonCode: null,
  };
}

/** A running API over fakes, wired exactly as production wires it (module, body limit). */
export interface TestApi {
  readonly app: INestApplication;
  readonly server: Parameters<typeof import('supertest')>[0];
  readonly gateway: FakeGateway;
  readonly reads: FakeReadModels;
  readonly projector: FakeProjector;
}

/** Starts the API over fresh fakes (or the dependencies given in `overrides`); rate limits are generous unless given. */
export async function startTestApi(rateLimits: ThrottlerOptions[] = [{ ttl: 60_000, limit: 1_000_000 }], overrides: Partial<HttpApiDependencies> = {}): Promise<TestApi> {
  const gateway = new FakeGateway();
  const reads = new FakeReadModels();
  const projector = new FakeProjector();
  const moduleRef = await Test.createTestingModule({
    imports: [HttpApiModule.register({ gateway, students: reads, scoreRecords: reads, applications: reads, users: reads, archives: reads, projector, rateLimits, ...overrides })],
    providers: [{ provide: APP_GUARD, useClass: FakeAuthGuard }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureHttpApp(app);
  await app.init();
  return { app, server: app.getHttpServer(), gateway, reads, projector };
}
