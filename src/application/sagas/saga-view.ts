import { type SagaState, type StepReason, planSteps } from '../../sagas';
import type { AggregateStore } from '../aggregate-store';

/** A saga as GET /api/sagas/:id shows it. */
export interface SagaView {
  readonly sagaId: string;
  readonly kind: 'batch' | 'archive';
  readonly status: SagaState['status'];
  readonly needsOperator: boolean;
  readonly startedBy: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly input: Record<string, unknown>;
  readonly steps: { readonly step: string; readonly status: 'pending' | 'done' | 'failed' | 'compensated' | 'started' }[];
  /** The forward step that failed, with each student (or the external system) and why. */
  readonly failure: { readonly step: string; readonly reasons: readonly StepReason[] } | null;
  /** The compensation that failed and waits for an operator (POST /api/sagas/:id/retry). */
  readonly operator: { readonly step: string; readonly reasons: readonly StepReason[] } | null;
  readonly compensated: readonly string[];
  readonly version: number;
  /** The log position of the saga's last event: read models (archives, scores) show it with `X-Min-Position` at least this. */
  readonly position: number;
}

/** The view of an existing saga. */
export function sagaView(state: SagaState, position: number): SagaView {
  const input = state.input!;
  const done = new Set(state.done.map((d) => d.step));
  const undone = new Set(state.compensated);
  const steps = planSteps(input).map(({ name }) => ({
    step: name,
    status: undone.has(name)
      ? ('compensated' as const)
      : done.has(name)
        ? ('done' as const)
        : state.failure?.step === name
          ? ('failed' as const)
          : state.external?.step === name
            ? ('started' as const)
            : ('pending' as const),
  }));
  const summary =
    input.kind === 'batch'
      ? { reason: input.reason, students: input.changes.length, chunkSize: input.chunkSize }
      : { semester: input.semester, className: input.className, students: input.studentIds.length, chunkSize: input.chunkSize, storeTimeoutMs: input.storeTimeoutMs };
  return {
    sagaId: state.sagaId,
    kind: input.kind,
    status: state.status,
    needsOperator: state.needsOperator !== null,
    startedBy: state.actor?.username ?? '',
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    input: summary,
    steps,
    failure: state.failure,
    operator: state.needsOperator,
    compensated: state.compensated,
    version: state.version,
    position,
  };
}

/** The view of saga `id` as this node folded it (a finished saga is loaded if not in memory); undefined when there is no such saga. */
export async function sagaViewOf(states: AggregateStore, id: string): Promise<SagaView | undefined> {
  const release = await states.prefetch([`saga/${id}`]);
  try {
    const state = states.saga(id);
    return state.exists ? sagaView(state, states.sagaPosition(id)) : undefined;
  } finally {
    release();
  }
}
