import {
  type CommandContext,
  type Decision,
  type DomainEvent,
  TEXT_LIMITS,
  accept,
  actorRef,
  checkDelta,
  checkId,
  checkText,
  domainError,
  domainEvent,
  firstError,
  hasRole,
  isoTime,
  refuse,
} from '../domain';
import { type ArchiveInput, type BatchInput, SAGA_STREAM, type StudentDelta } from './saga-events';
import type { SagaState } from './saga-state';

/** Limits of the sagas, validated at start by the node's config. */
export interface SagaSettings {
  /** Students in one batch adjustment, at most. */
  readonly batchStudentsMax: number;
  /** Students per chunk (one log entry), at most. */
  readonly chunkStudentsMax: number;
  /** Bytes of events one chunk's entry should stay under (a consensus batch is 24 KiB). */
  readonly chunkBytesBudget: number;
  /** How long the student-records service has to store an archive. */
  readonly storeTimeoutMs: number;
}

/** The defaults: 5,000 students a batch, chunks of up to 50 within 20 KB, 5 s for the records service. */
export const DEFAULT_SAGA_SETTINGS: SagaSettings = Object.freeze({
  batchStudentsMax: 5000,
  chunkStudentsMax: 50,
  chunkBytesBudget: 20_000,
  storeTimeoutMs: 5000,
});

/** Bytes one student's events take in an entry besides the reason (ScoreModified, its version, metadata). */
const ENTRY_BYTES_PER_STUDENT = 450;

/** Starts a batch adjustment saga. Refuses: `forbidden` (not admin or club), `invalid` input or repeated students, `conflict` when the id is taken. */
export function decideStartBatch(
  state: SagaState,
  data: { sagaId: string; reason: string; changes: readonly StudentDelta[] },
  ctx: CommandContext,
  settings: SagaSettings,
): Decision<DomainEvent> {
  if (!hasRole(ctx.actor, ['admin', 'club'])) return refuse('forbidden', `role ${ctx.actor.role} may not run a batch adjustment`);
  const { changes, reason } = data;
  const invalid = firstError(
    checkText('reason', reason, TEXT_LIMITS.reason),
    changes.length === 0 || changes.length > settings.batchStudentsMax
      ? domainError('invalid', `changes must hold 1 to ${settings.batchStudentsMax} students`)
      : null,
    ...changes.map((c) => checkId('studentId', c.studentId) ?? checkDelta(c.delta)),
    new Set(changes.map((c) => c.studentId)).size === changes.length ? null : domainError('invalid', 'each student may appear once in a batch'),
  );
  if (invalid) return refuse(invalid);
  if (state.exists) return refuse('conflict', `saga ${data.sagaId} already exists`);
  const chunkSize = chunkSizeFor(reason.trim().length, settings);
  const input: BatchInput = { kind: 'batch', reason: reason.trim(), changes: changes.map((c) => ({ studentId: c.studentId, delta: c.delta })), chunkSize };
  return accept([started(data.sagaId, input, ctx)]);
}

/**
 * Starts a semester archive saga over `studentIds` (the active students of the class, or of every
 * class). Refuses: `forbidden` (not admin), `invalid` semester, `not-found` when no active student
 * is in scope, `conflict` when the id is taken or `busy` names an archive of the semester still open.
 */
export function decideStartArchive(
  state: SagaState,
  data: { sagaId: string; semester: string; className: string | null; studentIds: readonly string[]; busy: string | null },
  ctx: CommandContext,
  settings: SagaSettings,
): Decision<DomainEvent> {
  if (!hasRole(ctx.actor, ['admin'])) return refuse('forbidden', `role ${ctx.actor.role} may not archive a semester`);
  const invalid = firstError(
    checkId('semester', data.semester),
    data.className === null ? null : checkText('className', data.className, TEXT_LIMITS.className),
  );
  if (invalid) return refuse(invalid);
  if (state.exists) return refuse('conflict', `saga ${data.sagaId} already exists`);
  if (data.busy !== null) return refuse('conflict', `archive ${data.busy} of semester ${data.semester} is still running`);
  if (data.studentIds.length === 0) {
    return refuse('not-found', data.className === null ? 'no active student to archive' : `no active student in class ${data.className}`);
  }
  const input: ArchiveInput = {
    kind: 'archive',
    semester: data.semester,
    className: data.className,
    studentIds: [...data.studentIds],
    chunkSize: chunkSizeFor(40, settings),
    storeTimeoutMs: settings.storeTimeoutMs,
  };
  return accept([started(data.sagaId, input, ctx)]);
}

/** An admin retries a saga waiting for an operator. Refuses: `forbidden`, `not-found`, `conflict` when it waits for no operator. */
export function decideRetrySaga(state: SagaState, sagaId: string, ctx: CommandContext): Decision<DomainEvent> {
  if (!hasRole(ctx.actor, ['admin'])) return refuse('forbidden', `role ${ctx.actor.role} may not retry a saga`);
  if (!state.exists) return refuse('not-found', `saga ${sagaId} does not exist`);
  if (state.needsOperator === null) return refuse('conflict', `saga ${sagaId} is not waiting for an operator`);
  return accept([domainEvent(SAGA_STREAM, sagaId, 'SagaRetried', { sagaId, actor: actorRef(ctx.actor), at: isoTime(ctx.now) })]);
}

/** Students per chunk: as many as fit the entry budget with this reason, within the configured maximum. */
function chunkSizeFor(reasonLength: number, settings: SagaSettings): number {
  const fit = Math.floor(settings.chunkBytesBudget / (ENTRY_BYTES_PER_STUDENT + reasonLength));
  return Math.max(1, Math.min(settings.chunkStudentsMax, fit));
}

function started(sagaId: string, input: BatchInput | ArchiveInput, ctx: CommandContext): DomainEvent {
  return domainEvent(SAGA_STREAM, sagaId, 'SagaStarted', { sagaId, input, actor: actorRef(ctx.actor), at: isoTime(ctx.now) });
}
