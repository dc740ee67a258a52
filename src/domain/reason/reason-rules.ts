import { type DomainError, checkText, domainError, firstError } from '../shared';
import { REASON_POLARITIES, type ReasonFields } from './reason-commands';
import type { ReasonState } from './reason-state';

/** Reason codes: 2..32 lowercase letters, digits, `_` or `-`, starting with a letter. */
const REASON_CODE_PATTERN = /^[a-z][a-z0-9_-]{1,31}$/;
/** Labels are at most this long, in characters after trimming. */
export const REASON_LABEL_MAX = 100;
/** A default delta is at most this far from 0. */
export const REASON_DELTA_MAX = 100;

/** An `invalid` error unless `code` is a well-formed reason code. */
export function checkReasonCode(code: unknown): DomainError | null {
  if (typeof code === 'string' && REASON_CODE_PATTERN.test(code)) return null;
  return domainError('invalid', 'reason code must be 2..32 lowercase letters, digits, _ or - starting with a letter');
}

/**
 * An `invalid` error unless the fields make a catalogue entry: both labels, a known polarity, and
 * a non-zero integer default delta within ±REASON_DELTA_MAX whose sign is the polarity's.
 */
export function checkReasonFields(fields: ReasonFields): DomainError | null {
  const { labelZh, labelEn, defaultDelta, polarity, active } = fields;
  return firstError(
    checkText('labelZh', labelZh, REASON_LABEL_MAX),
    checkText('labelEn', labelEn, REASON_LABEL_MAX),
    REASON_POLARITIES.includes(polarity) ? null : domainError('invalid', `polarity must be one of ${REASON_POLARITIES.join(', ')}`),
    typeof active === 'boolean' ? null : domainError('invalid', 'active must be a boolean'),
    checkDefaultDelta(defaultDelta, polarity),
  );
}

function checkDefaultDelta(delta: unknown, polarity: unknown): DomainError | null {
  if (typeof delta !== 'number' || !Number.isSafeInteger(delta) || delta === 0 || Math.abs(delta) > REASON_DELTA_MAX)
    return domainError('invalid', `defaultDelta must be a non-zero integer within ±${REASON_DELTA_MAX}`);
  if ((polarity === 'positive') !== delta > 0)
    return domainError('invalid', `defaultDelta must be ${polarity === 'positive' ? 'above' : 'below'} 0 for a ${String(polarity)} reason`);
  return null;
}

/**
 * Checks a reason code a score change or an application names: it must be in the catalogue and
 * active (`rule-broken` otherwise, 422: the body is well formed, the catalogue says no).
 *
 * @example checkNamedReason(states.reason('homework'), 'homework') // null, or a DomainError
 */
export function checkNamedReason(state: ReasonState, code: string): DomainError | null {
  const malformed = checkReasonCode(code);
  if (malformed) return malformed;
  if (!state.exists) return domainError('rule-broken', `reason ${code} is not in the catalogue`);
  if (!state.active) return domainError('rule-broken', `reason ${code} is not active`);
  return null;
}
