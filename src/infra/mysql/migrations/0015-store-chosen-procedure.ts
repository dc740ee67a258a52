import { sql, type Kysely } from 'kysely';

/**
 * `behavior_store_chosen(chosen, outcomes, events)`: the rows of `behavior_write_chosen` (0003)
 * inside the caller's transaction, which it neither starts nor commits. The write loop runs it
 * when the read models' rows and checkpoint join the same transaction: one commit (and one
 * fsync) for the log and its projection instead of two.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
CREATE PROCEDURE behavior_store_chosen(IN chosen_json LONGTEXT, IN outcomes_json LONGTEXT, IN events_json LONGTEXT)
BEGIN
  INSERT INTO paxos_chosen (slot, value)
    SELECT j.slot, j.value FROM JSON_TABLE(chosen_json, '$[*]' COLUMNS (
      slot BIGINT PATH '$[0]', value LONGTEXT PATH '$[1]')) AS j;
  INSERT INTO applied_commands (command_id, slot, outcome)
    SELECT j.command_id, j.slot, j.outcome FROM JSON_TABLE(outcomes_json, '$[*]' COLUMNS (
      command_id VARCHAR(128) PATH '$[0]', slot BIGINT PATH '$[1]', outcome LONGTEXT PATH '$[2]')) AS j;
  INSERT INTO event_log (position, slot, command_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata)
    SELECT j.position, j.slot, j.command_id, j.stream_type, j.stream_id, j.stream_version, j.type, j.schema_version, j.data, j.metadata
    FROM JSON_TABLE(events_json, '$[*]' COLUMNS (
      position BIGINT PATH '$[0]', slot BIGINT PATH '$[1]', command_id VARCHAR(128) PATH '$[2]',
      stream_type VARCHAR(32) PATH '$[3]', stream_id VARCHAR(128) PATH '$[4]', stream_version INT PATH '$[5]',
      type VARCHAR(64) PATH '$[6]', schema_version SMALLINT PATH '$[7]', data LONGTEXT PATH '$[8]',
      metadata LONGTEXT PATH '$[9]')) AS j;
END`).execute(db);
}

/** Drops what `up` created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP PROCEDURE IF EXISTS behavior_store_chosen').execute(db);
}
