import { sql, type Kysely } from 'kysely';

/**
 * The log is stored once: a slot's row in `paxos_accepted` is the log, kept rather than pruned,
 * and a slot is chosen when it is at or below the `chosen_watermark` row of `paxos_meta`. Storing
 * a chosen slot overwrites its row's value with the chosen one (keeping the ballot, or ballot
 * zero where this node accepted nothing) and raises the watermark, in the apply transaction.
 * `paxos_chosen` becomes a view of the rows at or below the watermark, so every reader of the
 * chosen log reads it as before, and its copy of every value is gone.
 *
 * An existing database is upgraded in place: its chosen rows are copied over the accepts (they
 * are the values those slots were chosen with), the watermark is set to the end of the run of
 * chosen slots from slot 1, and the table is replaced by the view. Each step may run again
 * should the migration stop part way. The store procedures are replaced by ones that write the
 * log this way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const base = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'paxos_chosen' AND TABLE_TYPE = 'BASE TABLE'`.execute(db);
  if (Number(base.rows[0].n) > 0) {
    const span = await sql<{ n: number | string; last: number | string | null }>`SELECT COUNT(*) AS n, MAX(slot) AS last FROM paxos_chosen`.execute(db);
    const count = Number(span.rows[0].n);
    if (count > 0) {
      const watermark = Number(span.rows[0].last) === count ? count : await runEnd(db);
      // Slots chosen past a gap are left to catch-up: as rows of ballot zero above the watermark they would pass for accepts.
      await sql`INSERT INTO paxos_accepted (slot, ballot_round, ballot_node, value)
        SELECT slot, 0, '', value FROM paxos_chosen WHERE slot <= ${watermark}
        ON DUPLICATE KEY UPDATE value = VALUES(value)`.execute(db);
      await sql`INSERT INTO paxos_meta (name, value) VALUES ('chosen_watermark', ${watermark})
        ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))`.execute(db);
    }
    await sql`DROP TABLE paxos_chosen`.execute(db);
  }
  await sql`CREATE OR REPLACE VIEW paxos_chosen AS
    SELECT slot, value FROM paxos_accepted
    WHERE slot <= COALESCE((SELECT m.value FROM paxos_meta m WHERE m.name = 'chosen_watermark'), 0)`.execute(db);
  const index = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.STATISTICS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'paxos_accepted' AND INDEX_NAME = 'paxos_accepted_kind'`.execute(db);
  // A start finds the membership changes by the value's first characters, as 0012 let it on the old table.
  if (Number(index.rows[0].n) === 0) await sql`CREATE INDEX paxos_accepted_kind ON paxos_accepted (value(10))`.execute(db);
  for (const [name, transaction] of [
    ['behavior_write_chosen', true],
    ['behavior_store_chosen', false],
  ] as const) {
    await sql.raw(`DROP PROCEDURE IF EXISTS ${name}`).execute(db);
    await sql.raw(storeProcedure(name, transaction)).execute(db);
  }
}

/** With a gap in the old table: the last slot of the run that starts at slot 1 (0 when slot 1 is missing). */
async function runEnd(db: Kysely<unknown>): Promise<number> {
  const first = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM paxos_chosen WHERE slot = 1`.execute(db);
  if (Number(first.rows[0].n) === 0) return 0;
  const end = await sql<{ slot: number | string }>`SELECT c.slot FROM paxos_chosen c
    LEFT JOIN paxos_chosen n ON n.slot = c.slot + 1 WHERE n.slot IS NULL ORDER BY c.slot LIMIT 1`.execute(db);
  return Number(end.rows[0].slot);
}

/**
 * `name(chosen, outcomes, events)`: the chosen entries overwrite their slots' rows and raise the
 * watermark; the idempotency records and events are inserted. Entries must run on from the
 * watermark without a gap (anything else is a bug: SQLSTATE 45000). An entry at or below the
 * watermark (a replay) raises errno 1062, as the old table's duplicate key did, and the caller
 * takes its checked path, which compares the stored values. With `transaction`, the procedure
 * is its own transaction; without, it runs inside the caller's.
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
  INSERT INTO event_log (position, slot, command_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata)
    SELECT j.position, j.slot, j.command_id, j.stream_type, j.stream_id, j.stream_version, j.type, j.schema_version, j.data, j.metadata
    FROM JSON_TABLE(events_json, '$[*]' COLUMNS (
      position BIGINT PATH '$[0]', slot BIGINT PATH '$[1]', command_id VARCHAR(128) PATH '$[2]',
      stream_type VARCHAR(32) PATH '$[3]', stream_id VARCHAR(128) PATH '$[4]', stream_version INT PATH '$[5]',
      type VARCHAR(64) PATH '$[6]', schema_version SMALLINT PATH '$[7]', data LONGTEXT PATH '$[8]',
      metadata LONGTEXT PATH '$[9]')) AS j;
  ${transaction ? 'COMMIT;' : ''}
END`;
}

/**
 * Back to the chosen-log table: the rows at or below the watermark are copied out of the view
 * (the accepts keep their chosen values, which is safe), and the old procedures return.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE paxos_chosen_rows (slot BIGINT PRIMARY KEY, value LONGTEXT NOT NULL)
    ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`.execute(db);
  await sql`INSERT INTO paxos_chosen_rows (slot, value) SELECT slot, value FROM paxos_chosen`.execute(db);
  await sql`DROP VIEW paxos_chosen`.execute(db);
  await sql`RENAME TABLE paxos_chosen_rows TO paxos_chosen`.execute(db);
  await sql`CREATE INDEX paxos_chosen_kind ON paxos_chosen (value(10))`.execute(db);
  await sql`DROP INDEX paxos_accepted_kind ON paxos_accepted`.execute(db);
  for (const name of ['behavior_write_chosen', 'behavior_store_chosen']) await sql.raw(`DROP PROCEDURE IF EXISTS ${name}`).execute(db);
  await (await import('./0003-write-chosen-procedure')).up(db);
  await (await import('./0015-store-chosen-procedure')).up(db);
}
