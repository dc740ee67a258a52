import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

/** The server settings that decide whether a commit survives a power loss. */
export interface DurabilitySettings {
  /** 1 flushes the redo log at every commit; anything else may lose commits acknowledged. */
  readonly innodbFlushLogAtTrxCommit: number;
  /** Whether the binary log is on; `syncBinlog` matters only then. */
  readonly logBin: boolean;
  /** 1 syncs the binary log at every commit (informational: acceptor state lives in InnoDB). */
  readonly syncBinlog: number;
}

/**
 * The server would acknowledge commits it can lose, so an acceptor could break its promise
 * after a crash. The node refuses to start, unless told the run is a throwaway.
 */
export class UnsafeDurabilityError extends Error {
  override readonly name = 'UnsafeDurabilityError';

  constructor(readonly settings: DurabilitySettings) {
    super(
      `MySQL innodb_flush_log_at_trx_commit is ${settings.innodbFlushLogAtTrxCommit}, but Paxos needs 1: ` +
        'a promise or accept acknowledged before a crash could be lost. Set it to 1 ' +
        '(SET GLOBAL innodb_flush_log_at_trx_commit = 1), or start with the unsafe option for a throwaway run.',
    );
  }
}

/** Reads the durability settings from the server. */
export async function readDurabilitySettings(db: Kysely<Database>): Promise<DurabilitySettings> {
  const { rows } = await sql<{ flush: unknown; logBin: unknown; syncBinlog: unknown }>`
    SELECT @@GLOBAL.innodb_flush_log_at_trx_commit AS flush, @@GLOBAL.log_bin AS logBin,
           @@GLOBAL.sync_binlog AS syncBinlog`.execute(db);
  const row = rows[0];
  return {
    innodbFlushLogAtTrxCommit: Number(row.flush),
    logBin: Number(row.logBin) === 1,
    syncBinlog: Number(row.syncBinlog),
  };
}

/**
 * Checks that a commit is durable before an acceptor relies on it; call at start.
 *
 * @returns warnings to log: empty when all is well; when `unsafe` is set, the reason it would
 * otherwise have refused; an unsynced binary log is only mentioned.
 * @throws UnsafeDurabilityError when innodb_flush_log_at_trx_commit is not 1 and `unsafe` is not set.
 */
export async function assertDurable(db: Kysely<Database>, options: { unsafe: boolean }): Promise<string[]> {
  const settings = await readDurabilitySettings(db);
  const warnings: string[] = [];
  if (settings.innodbFlushLogAtTrxCommit !== 1) {
    const error = new UnsafeDurabilityError(settings);
    if (!options.unsafe) throw error;
    warnings.push(`unsafe durability allowed for a throwaway run: ${error.message}`);
  }
  if (settings.logBin && settings.syncBinlog !== 1) {
    warnings.push(
      `binary log is on with sync_binlog=${settings.syncBinlog}: replicas of this server may miss commits after a crash`,
    );
  }
  return warnings;
}
