import { DECIDE_ATTEMPTS_MAX, attemptId, isFinal, refusalOf } from '../../application/command-service';
import { type Actor, DOMAIN_ERROR_STATUS, type DomainError } from '../../domain';
import type { QueuedCommand } from '../../application/command-queue';
import type { CommandOutcome } from '../../application/command-log';

/** What `GET /api/commands/:commandId` answers (`idempotencyKey` when asked by the caller's key). */
export type CommandStatus = (
  | { commandId: string; status: 'pending' }
  | { commandId: string; status: 'applied'; position: number | null; result: unknown }
  | { commandId: string; status: 'rejected'; reason: string; statusCode?: number }
) & { idempotencyKey?: string };

/** What the log says of a command: its outcome, if any, and whether this node still waits for it. */
export interface CommandTrace {
  readonly outcome: CommandOutcome | undefined;
  readonly waiting: boolean;
}

/**
 * Follows a command through its decisions: a decision refused because its streams moved was
 * decided again under `<id>#<n>`, so the command's outcome is the first final one on that chain.
 */
export async function traceCommand(
  commandId: string,
  outcomeOf: (id: string) => Promise<CommandOutcome | undefined>,
  isWaiting: (id: string) => boolean,
): Promise<CommandTrace> {
  let last: CommandOutcome | undefined;
  for (let attempt = 1; attempt <= DECIDE_ATTEMPTS_MAX; attempt++) {
    const id = attemptId(commandId, attempt);
    const outcome = await outcomeOf(id);
    if (!outcome) return { outcome: last, waiting: isWaiting(id) };
    if (isFinal(outcome)) return { outcome, waiting: false };
    last = outcome;
  }
  return { outcome: last, waiting: false };
}

/**
 * The status of a command as `actor` may see it: its own commands, or any for an admin. A
 * command this node still waits for is pending; unknown or someone else's answers null (404).
 */
export function commandStatus(commandId: string, outcome: CommandOutcome | undefined, waiting: boolean, actor: Actor): CommandStatus | null {
  if (waiting) return outcome && !maySee(outcome.actor, actor) ? null : { commandId, status: 'pending' };
  if (!outcome) return null;
  if (!maySee(outcome.actor, actor)) return null;
  if (outcome.status === 'applied') return { commandId, status: 'applied', position: outcome.lastPosition ?? null, result: outcome.result ?? null };
  if (outcome.refusal) return rejected(commandId, refusalOf(outcome));
  return { commandId, status: 'rejected', reason: outcome.reason ?? 'refused when applied' };
}

/** The status of a write queued with `Prefer: respond-async`, as `actor` may see it (null: not theirs). */
export function queuedStatus(commandId: string, queued: QueuedCommand, actor: Actor): CommandStatus | null {
  if (!maySee(queued.actor.username, actor)) return null;
  return queued.state === 'waiting' ? { commandId, status: 'pending' } : rejected(commandId, queued.refusal);
}

function rejected(commandId: string, refusal: DomainError): CommandStatus {
  return { commandId, status: 'rejected', reason: refusal.message, statusCode: DOMAIN_ERROR_STATUS[refusal.code] };
}

/** A command is visible to whoever sent it, and to admins. */
function maySee(sender: string | undefined, actor: Actor): boolean {
  return actor.role === 'admin' || sender === actor.username;
}
