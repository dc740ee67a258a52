import {
  type Actor,
  type CommandContext,
  DEFAULT_SCORE_RULES,
  type ScoreRules,
  type DomainEvent,
  type StudentCommand,
  type StudentState,
  domainEvent,
  decideStudent,
  isoTime,
} from '../domain';
import { assert } from '../shared/assert';
import type { SagaCommand } from './decide-saga';
import {
  ARCHIVE_STREAM,
  type ArchiveInput,
  type ArchivedStudent,
  SAGA_STREAM,
  type StepReason,
  type StudentDelta,
} from './saga-events';
import type { SagaState } from './saga-state';
import type { StepAction } from './saga-steps';

/** What running a saga command proposes: one log entry's events and the stream versions they rely on. */
export interface SagaEntry {
  readonly events: readonly DomainEvent[];
  /** `streamType/streamId` -> version the decision saw; the saga's own stream is always among them. */
  readonly expected: Readonly<Record<string, number>>;
}

/** How an external step answered (AwaitExternalStep only). */
export type ExternalAnswer = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** What a saga command reads besides the saga: students, the time and the score range in force. */
export interface SagaWorld {
  student(studentId: string): StudentState;
  readonly now: number;
  /** The configured score range (DEFAULT_SCORE_RULES when absent). */
  readonly rules?: ScoreRules;
}

/**
 * Turns a saga command into one log entry (pure): the students' events and the saga's own event,
 * all or nothing. A step some student cannot take records StepFailed (or CompensationFailed) with
 * every such student and why, and changes no student.
 */
export function runSagaCommand(state: SagaState, command: SagaCommand, world: SagaWorld, answer?: ExternalAnswer): SagaEntry {
  assert(state.exists && state.input !== null && state.actor !== null, `saga ${state.sagaId} does not exist`);
  const ctx: CommandContext = { actor: state.actor as Actor, now: world.now };
  const sagaEvent = (type: string, data: Record<string, unknown>) =>
    domainEvent(SAGA_STREAM, state.sagaId, type, { sagaId: state.sagaId, ...data, at: isoTime(world.now) });
  const sagaOnly = (type: string, data: Record<string, unknown>): SagaEntry => ({
    events: [sagaEvent(type, data)],
    expected: { [`${SAGA_STREAM}/${state.sagaId}`]: state.version },
  });
  switch (command.type) {
    case 'RunStep':
    case 'CompensateStep': {
      const forward = command.type === 'RunStep';
      const result = runAction(state, command.action, command.step, world, ctx);
      if (result.reasons.length > 0) return sagaOnly(forward ? 'StepFailed' : 'CompensationFailed', { step: command.step, reasons: result.reasons });
      const own = forward
        ? sagaEvent('StepSucceeded', { step: command.step, ...(result.applied.length > 0 ? { applied: result.applied } : {}) })
        : sagaEvent('StepCompensated', { step: command.step });
      return { events: [...result.events, own], expected: { ...result.expected, [`${SAGA_STREAM}/${state.sagaId}`]: state.version } };
    }
    case 'StartExternalStep': {
      const input = state.input as ArchiveInput;
      return sagaOnly('StepStarted', { step: command.step, deadline: isoTime(world.now + input.storeTimeoutMs) });
    }
    case 'AwaitExternalStep':
      assert(answer !== undefined, 'an external step needs its answer');
      if (answer.ok) return sagaOnly('StepSucceeded', { step: command.step });
      return sagaOnly('StepFailed', { step: command.step, reasons: [{ code: 'external', message: answer.message }] });
    case 'TimeOutStep':
      return sagaOnly('StepTimedOut', { step: command.step });
    case 'CompleteSaga':
      return withArchiveEvent(state, sagaOnly('SagaCompleted', {}), 'ArchiveCompleted', world.now);
    case 'FinishCompensation':
      return withArchiveEvent(state, sagaOnly('SagaCompensated', {}), state.snapshot.length > 0 ? 'ArchiveDiscarded' : null, world.now);
  }
}

/**
 * The streams an entry of `command` reads (pure): the saga's own, and every student of its step.
 * The leader holds their locks while it decides the entry, whatever the decision turns out to be.
 */
export function sagaCommandStreams(state: SagaState, command: SagaCommand): string[] {
  const streams = [`${SAGA_STREAM}/${state.sagaId}`];
  if (command.type === 'RunStep' || command.type === 'CompensateStep') {
    for (const studentId of stepStudentIds(state, command.action, command.step)) streams.push(`student/${studentId}`);
  }
  return streams;
}

/** The students a step's action touches (those of the step's applied changes, for a reversal). */
function stepStudentIds(state: SagaState, action: StepAction, step: string): readonly string[] {
  switch (action.type) {
    case 'modify':
      return action.changes.map((c) => c.studentId);
    case 'reverse':
      return state.done.find((d) => d.step === step)?.applied.map((c) => c.studentId) ?? [];
    case 'freeze':
    case 'unfreeze':
    case 'reset':
      return action.studentIds;
    case 'store':
      return [];
  }
}

interface ActionResult {
  readonly events: DomainEvent[];
  readonly expected: Record<string, number>;
  readonly applied: StudentDelta[];
  readonly reasons: StepReason[];
}

/** Decides each student's command of a step on the student's state; collects refusals. */
function runAction(state: SagaState, action: StepAction, step: string, world: SagaWorld, ctx: CommandContext): ActionResult {
  const out: ActionResult = { events: [], expected: {}, applied: [], reasons: [] };
  for (const { studentId, command } of studentCommands(state, action, step, world)) {
    const student = world.student(studentId);
    out.expected[`student/${studentId}`] = student.version;
    if (command === null) continue;
    const decision = decideStudent(student, command, ctx, world.rules ?? DEFAULT_SCORE_RULES);
    if (!decision.ok) {
      out.reasons.push({ studentId, code: decision.error.code, message: decision.error.message });
      continue;
    }
    out.events.push(...decision.events);
    if (command.type === 'ModifyScore') out.applied.push({ studentId, delta: command.data.delta });
  }
  if (action.type === 'freeze' && out.reasons.length === 0) out.events.push(snapshotEvent(state, action.studentIds, world));
  return out;
}

/** The student commands of a step (null: nothing to do for that student, e.g. a reset to the same score). */
function studentCommands(
  state: SagaState,
  action: StepAction,
  step: string,
  world: SagaWorld,
): { studentId: string; command: StudentCommand | null }[] {
  const sagaId = state.sagaId;
  const input = state.input!;
  const reason = input.kind === 'batch' ? input.reason : `semester ${input.semester} archive`;
  const modify = (studentId: string, delta: number, source: 'batch' | 'compensation' | 'archive-reset'): StudentCommand | null =>
    delta === 0 ? null : { type: 'ModifyScore', data: { studentId, delta, reason, source, sagaId } };
  switch (action.type) {
    case 'modify':
      return action.changes.map((c) => ({ studentId: c.studentId, command: modify(c.studentId, c.delta, 'batch') }));
    case 'reverse': {
      const done = state.done.find((d) => d.step === step);
      assert(done !== undefined, `saga ${sagaId} reverses step ${step}, which never applied`);
      return done.applied.map((c) => ({ studentId: c.studentId, command: modify(c.studentId, -c.delta, 'compensation') }));
    }
    case 'reset':
      return action.studentIds.map((studentId) => {
        const s = world.student(studentId);
        return { studentId, command: modify(studentId, s.initialScore - s.score, 'archive-reset') };
      });
    case 'freeze':
      return action.studentIds.map((studentId) => ({ studentId, command: { type: 'FreezeStudent', data: { studentId, sagaId } } }));
    case 'unfreeze':
      // A student someone else already thawed needs nothing: unfreezing is idempotent here.
      return action.studentIds.map((studentId) => ({
        studentId,
        command: unfreezeOrNull(world.student(studentId), studentId, sagaId),
      }));
    case 'store':
      return [];
  }
}

function unfreezeOrNull(student: StudentState, studentId: string, sagaId: string): StudentCommand | null {
  return student.frozen && !student.archived ? { type: 'UnfreezeStudent', data: { studentId, sagaId } } : null;
}

function snapshotEvent(state: SagaState, studentIds: readonly string[], world: SagaWorld): DomainEvent {
  const input = state.input as ArchiveInput;
  const students: ArchivedStudent[] = studentIds.map((studentId) => {
    const s = world.student(studentId);
    return { studentId, name: s.name, className: s.className, score: s.score };
  });
  return domainEvent(ARCHIVE_STREAM, state.sagaId, 'ArchiveSnapshotTaken', {
    archiveId: state.sagaId,
    sagaId: state.sagaId,
    semester: input.semester,
    className: input.className,
    students,
    at: isoTime(world.now),
  });
}

function withArchiveEvent(state: SagaState, entry: SagaEntry, type: 'ArchiveCompleted' | 'ArchiveDiscarded' | null, now: number): SagaEntry {
  if (state.input?.kind !== 'archive' || type === null) return entry;
  const input = state.input;
  const data = {
    archiveId: state.sagaId,
    sagaId: state.sagaId,
    semester: input.semester,
    className: input.className,
    ...(type === 'ArchiveCompleted' ? { studentCount: state.snapshot.length } : {}),
    at: isoTime(now),
  };
  return { ...entry, events: [domainEvent(ARCHIVE_STREAM, state.sagaId, type, data), ...entry.events] };
}
