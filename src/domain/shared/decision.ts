import { type DomainError, type DomainErrorCode, domainError } from './domain-error';

/**
 * What `decide` returns: the events to append (all or nothing), or why the command was refused.
 * An accepted decision may carry no events when the command changes nothing.
 */
export type Decision<E> =
  | { readonly ok: true; readonly events: E[] }
  | { readonly ok: false; readonly error: DomainError };

/**
 * Accepts a command with the events it decided.
 *
 * @example accept([studentFrozen])
 */
export function accept<E>(events: E[]): Decision<E> {
  return { ok: true, events };
}

/**
 * Refuses a command; no event is appended.
 *
 * @example refuse('not-found', 'student s-1 does not exist')
 * @example refuse(error)
 */
export function refuse(error: DomainError): Decision<never>;
export function refuse(code: DomainErrorCode, message: string): Decision<never>;
export function refuse(codeOrError: DomainErrorCode | DomainError, message?: string): Decision<never> {
  const error = typeof codeOrError === 'string' ? domainError(codeOrError, message ?? codeOrError) : codeOrError;
  return { ok: false, error };
}
