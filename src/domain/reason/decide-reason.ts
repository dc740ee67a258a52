import { unreachable } from '../../shared/assert';
import { type CommandContext, type Decision, accept, actorRef, domainEvent, hasRole, isoTime, refuse } from '../shared';
import type { CreateReason, ReasonCommand, ReasonFields, UpdateReason } from './reason-commands';
import { REASON_STREAM, type ReasonCreated, type ReasonEvent, type ReasonUpdated } from './reason-events';
import { checkReasonCode, checkReasonFields } from './reason-rules';
import type { ReasonState } from './reason-state';

/**
 * Decides a catalogue command. Only admins manage the catalogue (`forbidden`); then `invalid`
 * code or fields, `conflict` when creating a code that exists, `not-found` when updating one that
 * does not. An update that changes nothing decides no events.
 *
 * @example
 * decideReason(initialReasonState, { type: 'CreateReason', data: { code: 'helped', labelZh: '助人为乐',
 *   labelEn: 'Helped others', defaultDelta: 2, polarity: 'positive', active: true } }, { actor: admin, now })
 */
export function decideReason(state: ReasonState, command: ReasonCommand, context: CommandContext): Decision<ReasonEvent> {
  if (!hasRole(context.actor, ['admin'])) return refuse('forbidden', `role ${context.actor.role} may not manage reasons`);
  const invalidCode = checkReasonCode(command.data.code);
  if (invalidCode) return refuse(invalidCode);
  switch (command.type) {
    case 'CreateReason':
      return decideCreateReason(state, command, context);
    case 'UpdateReason':
      return decideUpdateReason(state, command, context);
    default:
      return unreachable(command, 'reason command');
  }
}

function decideCreateReason(state: ReasonState, command: CreateReason, context: CommandContext): Decision<ReasonCreated> {
  const { code, ...given } = command.data;
  const fields = trimmed(given);
  const invalid = checkReasonFields(fields);
  if (invalid) return refuse(invalid);
  if (state.exists) return refuse('conflict', `reason ${code} already exists`);
  return accept([domainEvent(REASON_STREAM, code, 'ReasonCreated', { code, ...fields, actor: actorRef(context.actor), at: isoTime(context.now) })]);
}

function decideUpdateReason(state: ReasonState, command: UpdateReason, context: CommandContext): Decision<ReasonUpdated> {
  const { code, ...changes } = command.data;
  if (!state.exists) return refuse('not-found', `reason ${code} does not exist`);
  const current: ReasonFields = { labelZh: state.labelZh, labelEn: state.labelEn, defaultDelta: state.defaultDelta, polarity: state.polarity, active: state.active };
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<ReasonFields>;
  const next = trimmed({ ...current, ...defined });
  const invalid = checkReasonFields(next);
  if (invalid) return refuse(invalid);
  const same = (Object.keys(current) as (keyof ReasonFields)[]).every((key) => current[key] === next[key]);
  if (same) return accept([]);
  return accept([domainEvent(REASON_STREAM, code, 'ReasonUpdated', { code, ...next, actor: actorRef(context.actor), at: isoTime(context.now) })]);
}

function trimmed(fields: ReasonFields): ReasonFields {
  const trim = (value: unknown) => (typeof value === 'string' ? value.trim() : value) as string;
  return { ...fields, labelZh: trim(fields.labelZh), labelEn: trim(fields.labelEn) };
}
