import type { Kysely } from 'kysely';
import type { ApiCommand } from '../../application/command-gateway';
import type { Actor, DomainError } from '../../domain';
import type { Database } from './database';

/** A write waiting in the node's queue (`Prefer: respond-async`). */
export interface QueuedCommand {
  readonly commandId: string;
  readonly command: ApiCommand;
  readonly actor: Actor;
  readonly attempts: number;
  /** Set on rows refused without a log entry by earlier versions; such a row only answers status. */
  readonly refusal: DomainError | null;
}

/** The rows of `queued_commands` (migration 0007). */
export class MysqlCommandQueueStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores the command unless its id is queued already; true when this call queued it. */
  async enqueue(commandId: string, command: ApiCommand, actor: Actor): Promise<boolean> {
    const result = await this.db
      .insertInto('queued_commands')
      .ignore()
      .values({ command_id: commandId, command: JSON.stringify(command), actor: JSON.stringify(actor), queued_at: new Date(), refusal: null })
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** The oldest `limit` commands still waiting to be proposed. */
  async waiting(limit: number): Promise<QueuedCommand[]> {
    const rows = await this.db.selectFrom('queued_commands').selectAll().where('refusal', 'is', null).orderBy('queued_at').orderBy('command_id').limit(limit).execute();
    return rows.map(rowToCommand);
  }

  async get(commandId: string): Promise<QueuedCommand | undefined> {
    const row = await this.db.selectFrom('queued_commands').selectAll().where('command_id', '=', commandId).executeTakeFirst();
    return row && rowToCommand(row);
  }

  async countAttempt(commandId: string): Promise<void> {
    await this.db.updateTable('queued_commands').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('command_id', '=', commandId).execute();
  }

  async reject(commandId: string, refusal: DomainError): Promise<void> {
    await this.db.updateTable('queued_commands').set({ refusal: JSON.stringify(refusal) }).where('command_id', '=', commandId).execute();
  }

  /** Commands still waiting to be proposed. */
  async countWaiting(): Promise<number> {
    const row = await this.db.selectFrom('queued_commands').select((eb) => eb.fn.countAll<string>().as('n')).where('refusal', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Drops a command whose outcome is in the log now. */
  async remove(commandId: string): Promise<void> {
    await this.db.deleteFrom('queued_commands').where('command_id', '=', commandId).execute();
  }
}

function rowToCommand(row: { command_id: string; command: string; actor: string; attempts: number; refusal: string | null }): QueuedCommand {
  return {
    commandId: row.command_id,
    command: JSON.parse(row.command) as ApiCommand,
    actor: JSON.parse(row.actor) as Actor,
    attempts: Number(row.attempts),
    refusal: row.refusal === null ? null : (JSON.parse(row.refusal) as DomainError),
  };
}
