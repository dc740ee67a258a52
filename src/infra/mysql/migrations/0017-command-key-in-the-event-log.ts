import { sql, type Kysely } from 'kysely';

/**
 * Idempotency is a unique key in the event log: `(command_id, command_index)`, the index being an
 * event's place among its command's events. A command that wrote events is known applied by its
 * events, and its outcome is rebuilt from them and from the log's value of its slot (kept since
 * 0016). `applied_commands` keeps only the outcomes that carry no event: refusals, rejections,
 * and commands that applied without events. Applying a command's events twice now fails on the
 * key, in the database, whatever the code above it does.
 *
 * An existing database is upgraded in place: a command's events have consecutive positions, so
 * an event's index is its position less its command's first. The outcomes of commands with events
 * are then deleted from `applied_commands`. Each step may run again should the migration stop
 * part way.
 *
 * The store procedures are replaced by ones that write the log of 0016 (values over the accepts,
 * the watermark moved) and the events' index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const column = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'event_log' AND COLUMN_NAME = 'command_index'`.execute(db);
  if (Number(column.rows[0].n) === 0) await sql`ALTER TABLE event_log ADD COLUMN command_index INT NOT NULL DEFAULT 0 AFTER command_id`.execute(db);
  await sql`UPDATE event_log e
    JOIN (SELECT command_id, MIN(position) AS first FROM event_log GROUP BY command_id HAVING COUNT(*) > 1) f ON f.command_id = e.command_id
    SET e.command_index = e.position - f.first
    WHERE e.position > f.first`.execute(db);
  const key = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.STATISTICS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'event_log' AND INDEX_NAME = 'event_log_command'`.execute(db);
  if (Number(key.rows[0].n) === 0) await sql`ALTER TABLE event_log ADD UNIQUE KEY event_log_command (command_id, command_index)`.execute(db);
  await sql`DELETE a FROM applied_commands a JOIN event_log e ON e.command_id = a.command_id AND e.command_index = 0`.execute(db);
  for (const [name, transaction] of [
    ['behavior_write_chosen', true],
    ['behavior_store_chosen', false],
  ] as const) {
    await sql.raw(`DROP PROCEDURE IF EXISTS ${name}`).execute(db);
    await sql.raw(storeProcedure(name, transaction)).execute(db);
  }
}

/**
 * `name(chosen, outcomes, events)`: the chosen entries overwrite their slots' rows and raise the
 * watermark; the outcomes without events and the events (each with its `command_index`, the
 * eleventh item) are inserted. Entries must run on from the watermark without a gap (anything
 * else is a bug: SQLSTATE 45000). An entry at or below the watermark (a replay) raises errno 1062,
 * as the old chosen table's duplicate key did, and the caller takes its checked path, which
 * compares the stored values. With `transaction`, the procedure is its own transaction; without,
 * it runs inside the caller's.
 */
function storeProcedure(name: string, transaction: boolean): string {
  return `
CREATE PROCEDURE ${name}(IN chosen_json LONGTEXT, IN outcomes_json LONGTEXT, IN events_json LONGTEXT)
BEGIN
  DECLARE watermark BIGINT DEFAULT 0;
  DECLARE first_slot BIGINT;
  DECLARE last_slot BIGINT;
  DECLARE entries BIGINT;
  ${transaction ? 'DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;\n  START TRANSACTION;' : ''}
  SELECT COALESCE(MAX(m.value), 0) INTO watermark FROM paxos_meta m WHERE m.name = 'chosen_watermark' FOR UPDATE;
  SELECT MIN(j.slot), MAX(j.slot), COUNT(*) INTO first_slot, last_slot, entries
    FROM JSON_TABLE(chosen_json, '$[*]' COLUMNS (slot BIGINT PATH '$[0]')) AS j;
  IF entries > 0 THEN
    IF first_slot <= watermark THEN
      SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = 1062, MESSAGE_TEXT = 'a chosen slot at or below the watermark is stored already';
    END IF;
    IF first_slot <> watermark + 1 OR last_slot - first_slot + 1 <> entries THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'chosen slots must run on from the watermark without a gap';
    END IF;
    INSERT INTO paxos_accepted (slot, ballot_round, ballot_node, value)
      SELECT j.slot, 0, '', j.value FROM JSON_TABLE(chosen_json, '$[*]' COLUMNS (
        slot BIGINT PATH '$[0]', value LONGTEXT PATH '$[1]')) AS j
      ON DUPLICATE KEY UPDATE value = VALUES(value);
    INSERT INTO paxos_meta (name, value) VALUES ('chosen_watermark', last_slot)
      ON DUPLICATE KEY UPDATE value = VALUES(value);
  END IF;
  INSERT INTO applied_commands (command_id, slot, outcome)
    SELECT j.command_id, j.slot, j.outcome FROM JSON_TABLE(outcomes_json, '$[*]' COLUMNS (
      command_id VARCHAR(128) PATH '$[0]', slot BIGINT PATH '$[1]', outcome LONGTEXT PATH '$[2]')) AS j;
  INSERT INTO event_log (position, slot, command_id, command_index, stream_type, stream_id, stream_version, type, schema_version, data, metadata)
    SELECT j.position, j.slot, j.command_id, j.command_index, j.stream_type, j.stream_id, j.stream_version, j.type, j.schema_version, j.data, j.metadata
    FROM JSON_TABLE(events_json, '$[*]' COLUMNS (
      position BIGINT PATH '$[0]', slot BIGINT PATH '$[1]', command_id VARCHAR(128) PATH '$[2]',
      stream_type VARCHAR(32) PATH '$[3]', stream_id VARCHAR(128) PATH '$[4]', stream_version INT PATH '$[5]',
      type VARCHAR(64) PATH '$[6]', schema_version SMALLINT PATH '$[7]', data LONGTEXT PATH '$[8]',
      metadata LONGTEXT PATH '$[9]', command_index INT PATH '$[10]')) AS j;
  ${transaction ? 'COMMIT;' : ''}
END`;
}

/**
 * Back to an outcome row per command: the outcomes of commands with events are not rebuilt here
 * (a node of the earlier schema reads a missing row as "not applied"), so going down is refused
 * once a command with events was stored.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  const events = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM event_log`.execute(db);
  if (Number(events.rows[0].n) > 0) throw new Error('migration 0017 cannot be undone on a database that holds events: their outcomes live in the event log');
  await sql`ALTER TABLE event_log DROP KEY event_log_command, DROP COLUMN command_index`.execute(db);
  for (const name of ['behavior_write_chosen', 'behavior_store_chosen']) await sql.raw(`DROP PROCEDURE IF EXISTS ${name}`).execute(db);
  await (await import('./0003-write-chosen-procedure')).up(db);
  await (await import('./0015-store-chosen-procedure')).up(db);
}
