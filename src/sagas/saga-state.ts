import type { ActorRef } from '../domain';
import { unreachable } from '../shared/assert';
import type { ArchiveEvent, ArchivedStudent, SagaEvent, SagaInput, StepReason, StudentDelta } from './saga-events';

/** Where a saga is. */
export type SagaStatus = 'running' | 'compensating' | 'completed' | 'compensated';

/** A forward step that applied, with the score changes it made. */
export interface DoneStep {
  readonly step: string;
  readonly applied: readonly StudentDelta[];
}

/** A saga as its workflow decides on it: the fold of its stream (and of its archive's). */
export interface SagaState {
  readonly exists: boolean;
  readonly sagaId: string;
  readonly input: SagaInput | null;
  readonly actor: ActorRef | null;
  readonly status: SagaStatus;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Forward steps that applied, in order. */
  readonly done: readonly DoneStep[];
  /** Steps whose compensation applied, in the order compensated. */
  readonly compensated: readonly string[];
  /** The forward step that failed and why (once compensating). */
  readonly failure: { readonly step: string; readonly reasons: readonly StepReason[] } | null;
  /** Set while a compensation failed and no admin retried yet. */
  readonly needsOperator: { readonly step: string; readonly reasons: readonly StepReason[] } | null;
  /** Admin retries so far: part of the command id of every compensation after one. */
  readonly retries: number;
  /** A step that left the cluster, awaiting its answer until `deadline`. */
  readonly external: { readonly step: string; readonly deadline: string } | null;
  /** The archive's snapshot, as taken (archive sagas only). */
  readonly snapshot: readonly ArchivedStudent[];
  readonly version: number;
}

/** The state of a saga stream with no events. */
export const initialSagaState: SagaState = Object.freeze({
  exists: false,
  sagaId: '',
  input: null,
  actor: null,
  status: 'running',
  startedAt: '',
  updatedAt: '',
  done: [],
  compensated: [],
  failure: null,
  needsOperator: null,
  retries: 0,
  external: null,
  snapshot: [],
  version: 0,
}) as SagaState;

/** True while the leader still has work to drive for the saga (it has not ended and waits for no operator). */
export function isOpen(state: SagaState): boolean {
  return state.exists && (state.status === 'running' || state.status === 'compensating');
}

/** Applies one saga event (pure). Events are facts: nothing is checked. */
export function evolveSaga(state: SagaState, event: SagaEvent): SagaState {
  const next = { ...state, version: state.version + 1, updatedAt: event.data.at };
  switch (event.type) {
    case 'SagaStarted':
      return { ...next, exists: true, sagaId: event.data.sagaId, input: event.data.input, actor: event.data.actor, startedAt: event.data.at };
    case 'StepSucceeded':
      return { ...next, external: null, done: [...state.done, { step: event.data.step, applied: event.data.applied ?? [] }] };
    case 'StepFailed':
      return { ...next, external: null, status: 'compensating', failure: { step: event.data.step, reasons: event.data.reasons } };
    case 'StepStarted':
      return { ...next, external: { step: event.data.step, deadline: event.data.deadline } };
    case 'StepTimedOut': {
      const reasons: StepReason[] = [{ code: 'timeout', message: `step ${event.data.step} did not answer before its deadline` }];
      return { ...next, external: null, status: 'compensating', failure: { step: event.data.step, reasons } };
    }
    case 'StepCompensated':
      return { ...next, compensated: [...state.compensated, event.data.step] };
    case 'CompensationFailed':
      return { ...next, needsOperator: { step: event.data.step, reasons: event.data.reasons } };
    case 'SagaRetried':
      return { ...next, needsOperator: null, retries: state.retries + 1 };
    case 'SagaCompleted':
      return { ...next, status: 'completed' };
    case 'SagaCompensated':
      return { ...next, status: 'compensated' };
    default:
      return unreachable(event, 'saga event');
  }
}

/** Applies an event of the saga's archive stream: only the snapshot matters to the workflow. */
export function evolveSagaArchive(state: SagaState, event: ArchiveEvent): SagaState {
  if (event.type !== 'ArchiveSnapshotTaken') return state;
  return { ...state, snapshot: [...state.snapshot, ...event.data.students] };
}
