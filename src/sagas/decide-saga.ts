import { assert } from '../shared/assert';
import { type StepAction, planSteps } from './saga-steps';
import { type SagaState, isOpen } from './saga-state';

/**
 * The next thing a saga needs, as the leader drives it. Each carries the command id it is proposed
 * under, derived from the saga id and the step (and, for compensations, the admin retries so far),
 * so a step re-driven after a leader change applies once.
 */
export type SagaCommand =
  | { readonly type: 'RunStep'; readonly commandId: string; readonly step: string; readonly action: StepAction }
  | { readonly type: 'StartExternalStep'; readonly commandId: string; readonly step: string }
  | { readonly type: 'AwaitExternalStep'; readonly commandId: string; readonly step: string; readonly deadline: string }
  | { readonly type: 'TimeOutStep'; readonly commandId: string; readonly step: string }
  | { readonly type: 'CompensateStep'; readonly commandId: string; readonly step: string; readonly action: StepAction }
  | { readonly type: 'CompleteSaga'; readonly commandId: string }
  | { readonly type: 'FinishCompensation'; readonly commandId: string };

/**
 * Decides what a saga does next at time `now` (epoch ms, passed in), or null when it has nothing
 * to do (ended, or waiting for an operator). Pure.
 *
 * @example decideSaga(state, 1_700_000_000_000) // { type: 'RunStep', commandId: 'saga-…/chunk:3', step: 'chunk:3', … }
 */
export function decideSaga(state: SagaState, now: number): SagaCommand | null {
  if (!isOpen(state) || state.needsOperator !== null) return null;
  assert(state.input !== null, `saga ${state.sagaId} has no input`);
  const plan = planSteps(state.input);
  const id = (suffix: string) => `${state.sagaId}/${suffix}`;
  if (state.status === 'running') {
    const next = plan[state.done.length];
    if (next === undefined) return { type: 'CompleteSaga', commandId: id('complete') };
    if (next.action.type !== 'store') return { type: 'RunStep', commandId: id(next.name), step: next.name, action: next.action };
    const external = state.external;
    if (external === null || external.step !== next.name) return { type: 'StartExternalStep', commandId: id(`${next.name}/start`), step: next.name };
    const resultId = id(`${next.name}/result`);
    if (now >= Date.parse(external.deadline)) return { type: 'TimeOutStep', commandId: resultId, step: next.name };
    return { type: 'AwaitExternalStep', commandId: resultId, step: next.name, deadline: external.deadline };
  }
  const undone = new Set(state.compensated);
  const byName = new Map(plan.map((p) => [p.name, p]));
  for (let i = state.done.length - 1; i >= 0; i--) {
    const step = state.done[i].step;
    const undo = byName.get(step)?.undo ?? null;
    if (undo === null || undone.has(step)) continue;
    const retry = state.retries === 0 ? '' : `/r${state.retries}`;
    return { type: 'CompensateStep', commandId: id(`undo/${step}${retry}`), step, action: undo };
  }
  return { type: 'FinishCompensation', commandId: id('compensated') };
}
