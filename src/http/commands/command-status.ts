import type { Actor } from '../../domain';
import type { CommandOutcome } from '../../infra/mysql/command-record';

/** What `GET /api/commands/:commandId` answers. */
export type CommandStatus =
  | { commandId: string; status: 'pending' }
  | { commandId: string; status: 'applied'; position: number | null; result: unknown }
  | { commandId: string; status: 'rejected'; reason: string };

/**
 * The status of a command as `actor` may see it: its own commands, or any for an admin. A
 * command this node still waits for is pending; unknown or someone else's answers null (404).
 */
export function commandStatus(commandId: string, outcome: CommandOutcome | undefined, waiting: boolean, actor: Actor): CommandStatus | null {
  if (!outcome) return waiting ? { commandId, status: 'pending' } : null;
  if (actor.role !== 'admin' && outcome.actor !== actor.username) return null;
  if (outcome.status === 'applied') return { commandId, status: 'applied', position: outcome.lastPosition ?? null, result: outcome.result ?? null };
  return { commandId, status: 'rejected', reason: outcome.reason ?? 'refused when applied' };
}
