import { unreachable } from '../shared/assert';
import type { ArchiveInput, BatchInput, SagaInput, StudentDelta } from './saga-events';

/** What a step does to the students (or outside the cluster). */
export type StepAction =
  | { readonly type: 'modify'; readonly changes: readonly StudentDelta[] }
  | { readonly type: 'freeze'; readonly studentIds: readonly string[] }
  | { readonly type: 'unfreeze'; readonly studentIds: readonly string[] }
  | { readonly type: 'reset'; readonly studentIds: readonly string[] }
  | { readonly type: 'store' }
  /** Reverses the score changes the step recorded as applied. */
  | { readonly type: 'reverse' };

/** One forward step of a workflow and its compensation (null: nothing to undo). */
export interface StepPlan {
  readonly name: string;
  readonly action: StepAction;
  readonly undo: StepAction | null;
}

/**
 * The forward steps of a saga, a function of its input alone (so every node and every replay cuts
 * the same steps).
 *
 * - batch: `chunk:<i>` applies a chunk's changes (undo: reverse them);
 * - archive: `freeze:<i>` freezes a chunk and snapshots its scores (undo: unfreeze), `store` hands
 *   the archive to the records service, `reset:<i>` resets scores to the initial score (undo:
 *   reverse), `unfreeze:<i>`.
 */
export function planSteps(input: SagaInput): StepPlan[] {
  switch (input.kind) {
    case 'batch':
      return planBatch(input);
    case 'archive':
      return planArchive(input);
    default:
      return unreachable(input, 'saga input');
  }
}

function planBatch(input: BatchInput): StepPlan[] {
  return chunks(input.changes, input.chunkSize).map((changes, i) => ({
    name: `chunk:${i}`,
    action: { type: 'modify', changes },
    undo: { type: 'reverse' },
  }));
}

function planArchive(input: ArchiveInput): StepPlan[] {
  const parts = chunks(input.studentIds, input.chunkSize);
  return [
    ...parts.map((studentIds, i): StepPlan => ({ name: `freeze:${i}`, action: { type: 'freeze', studentIds }, undo: { type: 'unfreeze', studentIds } })),
    { name: 'store', action: { type: 'store' }, undo: null },
    ...parts.map((studentIds, i): StepPlan => ({ name: `reset:${i}`, action: { type: 'reset', studentIds }, undo: { type: 'reverse' } })),
    ...parts.map((studentIds, i): StepPlan => ({ name: `unfreeze:${i}`, action: { type: 'unfreeze', studentIds }, undo: null })),
  ];
}

/** `items` cut into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
