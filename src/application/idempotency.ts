import { createHash } from 'node:crypto';
import type { ApiCommand } from './command-gateway';
import { DomainRefusal } from './domain-refusal';

/** The prefix of command ids derived from a caller and their Idempotency-Key. */
export const SCOPED_COMMAND_ID_PREFIX = 'k_';

/**
 * The command id a caller's Idempotency-Key stands for: a hash of the caller and the key, the same
 * on every node, so a key is the caller's own (another caller's same key is another command) and
 * no key can name another caller's command. The result holds no `#` (decisions again use `<id>#<n>`).
 *
 * @example scopedCommandId('ms.lee', 'retry-7') // 'k_3J…' (45 characters)
 */
export function scopedCommandId(username: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${username}\n${idempotencyKey}`, 'utf8').digest('base64url');
  return `${SCOPED_COMMAND_ID_PREFIX}${digest}`;
}

/**
 * The command id a release before per-caller keys gave an Idempotency-Key: the key itself. While
 * the previous release may still run (WRITE_PREVIOUS_EVENT_SCHEMAS), this release names a keyed
 * command the same way, so a retry that reaches a node of the other release is the same command
 * and applies once; a key that could name an id of another kind (`k_…`, `logout_…`, or one with
 * the `#` of decisions again) keeps its scoped id. Null for those.
 */
export function legacyCommandId(idempotencyKey: string): string | null {
  if (idempotencyKey.startsWith(SCOPED_COMMAND_ID_PREFIX) || idempotencyKey.startsWith(SESSION_END_COMMAND_ID_PREFIX) || idempotencyKey.includes('#')) return null;
  return idempotencyKey;
}

/** The prefix of the command ids of logouts (see sessionEndCommandId). */
export const SESSION_END_COMMAND_ID_PREFIX = 'logout_';

/**
 * The command id of the logout of `username`'s token `tokenId`: derived from both, the same on
 * every node and at every retry, so a session ended twice (a retried logout, two nodes) is
 * recorded once. No Idempotency-Key names it: a caller's keys always become `k_…` ids.
 *
 * @example sessionEndCommandId('kim', 'q7ZcR1…') // 'logout_Xy…' (50 characters)
 */
export function sessionEndCommandId(username: string, tokenId: string): string {
  const digest = createHash('sha256').update(`${username}\n${tokenId}`, 'utf8').digest('base64url');
  return `${SESSION_END_COMMAND_ID_PREFIX}${digest}`;
}

/**
 * A digest of what a command asks for (its name and body), stored with its outcome: the same key
 * with another request is refused. A password is left out, so no fast hash of one reaches the log
 * (a retry that changes only the password counts as the same request).
 */
export function requestHashOf(command: ApiCommand): string {
  const data: Record<string, unknown> = { ...command.data };
  delete data.password;
  return createHash('sha256').update(canonicalJson({ name: command.name, data }), 'utf8').digest('base64url');
}

/** The Idempotency-Key was used before by the same caller for another request: 422, as Stripe answers. */
export class IdempotencyKeyReusedError extends DomainRefusal {
  constructor() {
    super({ code: 'rule-broken', message: 'Idempotency-Key was already used for a different request; use a new key for a new request' });
  }
}

/**
 * Refuses to answer `requestHash`'s request with an outcome stored for another request under the
 * same id. Outcomes stored without a hash (before hashes were kept) are taken as the same request.
 *
 * @throws IdempotencyKeyReusedError when the stored hash differs
 */
export function assertSameRequest(stored: { readonly requestHash?: string }, requestHash: string): void {
  if (stored.requestHash !== undefined && stored.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
}

/** JSON with object keys sorted at every level, so equal bodies hash alike whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
