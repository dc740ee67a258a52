/**
 * The tables a node snapshot copies, in the order it writes and loads them: the chosen log and
 * what applying it wrote (events, idempotency records), the read models and their checkpoints,
 * the aggregate snapshots (saga state among them) and their checkpoint. Listed rather than
 * discovered, so a table a later migration adds for one node alone (its identity, its
 * configuration) is never copied onto another node by accident.
 */
export const SNAPSHOT_TABLES: readonly string[] = [
  // A view since migration 0016: the log table's rows at or below the chosen watermark, without their ballots.
  'paxos_chosen',
  'event_log',
  'applied_commands',
  'projection_checkpoints',
  'students',
  'score_records',
  'applications',
  'users',
  'archives',
  'archive_students',
  'reasons',
  'student_daily_scores',
  'user_credentials',
  // The credentials checkpoint covers the logouts: a node restored without them would take logged-out tokens again.
  'revoked_tokens',
  'aggregate_checkpoint',
  'aggregate_snapshots',
];

/**
 * Writes the node took with `Prefer: respond-async` and has not proposed yet. A backup of the
 * node keeps them (each was answered 202); a snapshot shipped to a peer leaves them out, since
 * they belong to the node that took them.
 */
export const QUEUED_COMMANDS_TABLE = 'queued_commands';

/** The chosen log's name: a view (migration 0016), loaded into the log table (`paxos_accepted`) by a restore. */
export const CHOSEN_LOG = 'paxos_chosen';

/**
 * The acceptor's state: its promise and the values it accepted but that may not be chosen (the
 * log table's rows above the chosen watermark; those at or below it are the chosen log).
 * A snapshot never holds them: a node restored with another node's promises, or its own old
 * ones, could vote against what it promised since.
 */
export const ACCEPTOR_TABLES: readonly string[] = ['paxos_promise', 'paxos_accepted'];

/**
 * Bookkeeping of the node itself that a snapshot does not copy: its identity (a restored database
 * gets an incarnation of its own at its first start), the counters (a restore writes
 * the chosen watermark from the snapshot's header) and the migrations (a restore runs its own).
 */
export const NODE_LOCAL_TABLES: readonly string[] = ['paxos_meta', 'node_identity', 'kysely_migration', 'kysely_migration_lock'];

/** Column types a snapshot carries as JSON strings, numbers and nulls, losslessly. */
export const SNAPSHOT_COLUMN_TYPES: ReadonlySet<string> = new Set([
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'varchar',
  'text',
  'mediumtext',
  'longtext',
  'datetime',
]);

/** The tables a snapshot may hold: SNAPSHOT_TABLES and the queued commands. */
export function isSnapshotTable(name: string): boolean {
  return SNAPSHOT_TABLES.includes(name) || name === QUEUED_COMMANDS_TABLE;
}
