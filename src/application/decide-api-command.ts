import { createHash } from 'node:crypto';
import {
  type Actor,
  type CommandContext,
  type Decision,
  type DomainError,
  type DomainEvent,
  type Role,
  type ScoreRules,
  DEFAULT_SCORE_RULES,
  checkNamedReason,
  decideApplication,
  decideReason,
  decideStudent,
  decideUser,
  isRole,
} from '../domain';
import { DEFAULT_SAGA_SETTINGS, type SagaSettings, decideRetrySaga, decideStartArchive, decideStartBatch } from '../sagas';
import type { AggregateReads } from './aggregate-store';
import type { ApiCommand } from './command-gateway';

/** What a decided API command proposes: its events, the streams whose versions it relies on, and the answer. */
export interface DecidedCommand {
  readonly events: readonly DomainEvent[];
  /** `streamType/streamId` -> the version the decision saw. */
  readonly expected: Readonly<Record<string, number>>;
  readonly result: Record<string, unknown>;
}

/** The result of deciding: the command to propose, or the domain's refusal. */
export type ApiDecision = { ok: true; decided: DecidedCommand } | { ok: false; error: Extract<Decision<never>, { ok: false }>['error'] };

/**
 * Decides an API command against the current states. `passwordHash` is the already hashed
 * password of `users.create` (hashing is slow, so it happens before the stream lock); `rules` the
 * configured score range. `ids` are the client's command id and the id of this attempt (see attemptId).
 */
export function decideApiCommand(
  command: ApiCommand,
  states: AggregateReads,
  actor: Actor,
  now: string,
  ids: { readonly command: string; readonly attempt: string },
  passwordHash?: string,
  rules: ScoreRules = DEFAULT_SCORE_RULES,
  sagaSettings: SagaSettings = DEFAULT_SAGA_SETTINGS,
): ApiDecision {
  const ctx: CommandContext = { actor, now };
  switch (command.name) {
    case 'scores.batch':
    case 'archives.start':
    case 'sagas.retry':
      return decideSagaCommand(command, states, ctx, ids.command, sagaSettings);
    case 'reasons.create':
    case 'reasons.update':
      return decideReasonCommand(command, states, ctx);
    case 'students.register':
    case 'students.correct':
    case 'scores.modify': {
      const named = namedReason(command, states);
      if (named !== null && !named.ok) return named;
      const state = states.student(command.data.studentId);
      const domainCommand =
        command.name === 'students.register'
          ? ({ type: 'RegisterStudent', data: command.data } as const)
          : command.name === 'students.correct'
            ? ({ type: 'CorrectStudentDetails', data: command.data } as const)
            : ({ type: 'ModifyScore', data: { ...command.data, source: 'direct' } } as const);
      const result = command.name === 'students.register' ? { studentId: command.data.studentId } : { studentId: command.data.studentId };
      const expected = { [`student/${command.data.studentId}`]: state.version, ...(named?.expected ?? {}) };
      return outcome(decideStudent(state, domainCommand, ctx, rules), expected, result, (events) => ({
        ...result,
        score: lastScore(events),
      }));
    }
    case 'applications.submit': {
      const named = namedReason(command, states);
      if (named !== null && !named.ok) return named;
      const applicationId = derivedId('app', ids.attempt);
      const application = states.application(applicationId);
      const student = states.student(command.data.studentId);
      const decision = decideApplication(application, student, { type: 'SubmitApplication', data: { ...command.data, applicationId } }, ctx, rules);
      return outcome(decision, { [`application/${applicationId}`]: application.version, ...(named?.expected ?? {}) }, { applicationId, status: 'pending' });
    }
    case 'applications.review': {
      const application = states.application(command.data.applicationId);
      const student = states.student(application.studentId);
      const decision = decideApplication(application, student, { type: 'ReviewApplication', data: command.data }, ctx, rules);
      const expected = { [`application/${command.data.applicationId}`]: application.version, [`student/${application.studentId}`]: student.version };
      const status = command.data.decision === 'approve' ? 'approved' : 'rejected';
      return outcome(decision, application.exists ? expected : {}, { applicationId: command.data.applicationId, status }, (events) => ({
        applicationId: command.data.applicationId,
        status,
        score: lastScore(events),
      }));
    }
    case 'users.create': {
      const state = states.user(command.data.username);
      if (!isRole(command.data.role)) return { ok: false, error: { code: 'invalid', message: `unknown role ${command.data.role}` } };
      const bound = command.data.studentId;
      if (command.data.role === 'student' && bound !== undefined && !states.student(bound).exists) {
        return { ok: false, error: { code: 'not-found', message: `no student ${bound} to bind the user to` } };
      }
      const data = { ...command.data, role: command.data.role as Role, passwordHash: passwordHash ?? '' };
      const { password: _password, ...withoutPassword } = data;
      const decision = decideUser(state, { type: 'CreateUser', data: withoutPassword }, ctx);
      return outcome(decision, { [`user/${command.data.username}`]: state.version }, { username: command.data.username, role: command.data.role });
    }
    case 'users.update':
      return decideUserUpdate(command.data, states, ctx);
    case 'users.password': {
      const state = states.user(command.data.username);
      const decision = decideUser(state, { type: 'ResetUserPassword', data: { username: command.data.username, passwordHash: passwordHash ?? '' } }, ctx);
      return outcome(decision, { [`user/${command.data.username}`]: state.version }, { username: command.data.username });
    }
    case 'users.classes': {
      const state = states.user(command.data.username);
      const decision = decideUser(state, { type: 'AssignUserClasses', data: command.data }, ctx);
      // Accepted, the list is valid: the answer holds it as recorded (trimmed).
      return outcome(decision, { [`user/${command.data.username}`]: state.version }, {}, () => ({ username: command.data.username, classes: command.data.classes.map((name) => name.trim()) }));
    }
    case 'users.logout': {
      const state = states.user(command.data.username);
      const decision = decideUser(state, { type: 'EndUserSession', data: command.data }, ctx);
      return outcome(decision, { [`user/${command.data.username}`]: state.version }, { username: command.data.username, tokenId: command.data.tokenId });
    }
    case 'students.freeze':
    case 'students.unfreeze': {
      const state = states.student(command.data.studentId);
      const type = command.name === 'students.freeze' ? 'FreezeStudent' : 'UnfreezeStudent';
      const decision = decideStudent(state, { type, data: { studentId: command.data.studentId } }, ctx, rules);
      return outcome(decision, { [`student/${command.data.studentId}`]: state.version }, { studentId: command.data.studentId, frozen: type === 'FreezeStudent' });
    }
  }
}

/** Creates or updates a catalogue reason. */
function decideReasonCommand(command: Extract<ApiCommand, { name: 'reasons.create' | 'reasons.update' }>, states: AggregateReads, ctx: CommandContext): ApiDecision {
  const state = states.reason(command.data.code);
  const decision =
    command.name === 'reasons.create'
      ? decideReason(state, { type: 'CreateReason', data: { ...command.data, active: command.data.active ?? true } }, ctx)
      : decideReason(state, { type: 'UpdateReason', data: command.data }, ctx);
  return outcome(decision, { [`reason/${command.data.code}`]: state.version }, { code: command.data.code });
}

/**
 * The check of the catalogue reason a score change or an application names: null when it names
 * none; else a refusal, or the reason's stream version (so a reason deactivated meanwhile makes the
 * entry stale and it is decided again).
 */
function namedReason(command: ApiCommand, states: AggregateReads): { ok: false; error: DomainError } | { ok: true; expected: Record<string, number> } | null {
  const code = (command.data as { reasonCode?: string }).reasonCode;
  if (code === undefined) return null;
  const state = states.reason(code);
  const refusal = checkNamedReason(state, code);
  return refusal === null ? { ok: true, expected: { [`reason/${code}`]: state.version } } : { ok: false, error: refusal };
}

/** Starts a saga (its id derived from the command id) or retries one waiting for an operator. */
function decideSagaCommand(
  command: Extract<ApiCommand, { name: 'scores.batch' | 'archives.start' | 'sagas.retry' }>,
  states: AggregateReads,
  ctx: CommandContext,
  commandId: string,
  settings: SagaSettings,
): ApiDecision {
  if (command.name === 'sagas.retry') {
    const state = states.saga(command.data.sagaId);
    const decision = decideRetrySaga(state, command.data.sagaId, ctx);
    return outcome(decision, { [`saga/${command.data.sagaId}`]: state.version }, { sagaId: command.data.sagaId, status: 'retrying' });
  }
  // Derived from the client's command id, so every attempt and every retry names the same saga.
  const sagaId = derivedId('saga', commandId);
  const state = states.saga(sagaId);
  const expected = { [`saga/${sagaId}`]: state.version };
  if (command.name === 'scores.batch') {
    return outcome(decideStartBatch(state, { sagaId, ...command.data }, ctx, settings), expected, { sagaId, status: 'running' });
  }
  const className = command.data.className ?? null;
  const overlaps = (other: string | null) => className === null || other === null || other === className;
  const busy = states.openSagas().find((s) => s.input?.kind === 'archive' && s.input.semester === command.data.semester && overlaps(s.input.className));
  const data = { sagaId, semester: command.data.semester, className, studentIds: states.activeStudentIds(className), busy: busy?.sagaId ?? null };
  return outcome(decideStartArchive(state, data, ctx, settings), expected, { sagaId, status: 'running' });
}

/** A role change and/or a disable or enable, decided in turn on the evolving state, as one entry. */
function decideUserUpdate(data: { username: string; role?: string; disabled?: boolean; displayName?: string }, states: AggregateReads, ctx: CommandContext): ApiDecision {
  const state = states.user(data.username);
  const events: DomainEvent[] = [];
  if (data.role !== undefined) {
    if (!isRole(data.role)) return { ok: false, error: { code: 'invalid', message: `unknown role ${data.role}` } };
    const decision = decideUser(state, { type: 'ChangeUserRole', data: { username: data.username, role: data.role } }, ctx);
    if (!decision.ok) return decision;
    events.push(...decision.events);
  }
  if (data.disabled !== undefined) {
    const type = data.disabled ? 'DisableUser' : 'EnableUser';
    const decision = decideUser(state, { type, data: { username: data.username } }, ctx);
    if (!decision.ok) return decision;
    events.push(...decision.events);
  }
  if (data.displayName !== undefined) {
    const decision = decideUser(state, { type: 'RenameUser', data: { username: data.username, displayName: data.displayName } }, ctx);
    if (!decision.ok) return decision;
    events.push(...decision.events);
  }
  if (!state.exists) return { ok: false, error: { code: 'not-found', message: `no user ${data.username}` } };
  return { ok: true, decided: { events, expected: { [`user/${data.username}`]: state.version }, result: { username: data.username } } };
}

function outcome<E extends DomainEvent>(
  decision: Decision<E>,
  expected: Record<string, number>,
  result: Record<string, unknown>,
  withEvents?: (events: readonly E[]) => Record<string, unknown>,
): ApiDecision {
  if (!decision.ok) return decision;
  return { ok: true, decided: { events: decision.events, expected, result: withEvents ? withEvents(decision.events) : result } };
}

function lastScore(events: readonly DomainEvent[]): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const data = events[i].data as { newScore?: number; score?: number; initialScore?: number };
    if (typeof data.newScore === 'number') return data.newScore;
    if (events[i].type === 'StudentRegistered' && typeof data.initialScore === 'number') return data.initialScore;
  }
  return undefined;
}

/** An id derived from the command id, so a retry of the same command decides the same id. */
export function derivedId(prefix: string, commandId: string): string {
  return `${prefix}-${createHash('sha256').update(commandId).digest('hex').slice(0, 20)}`;
}
