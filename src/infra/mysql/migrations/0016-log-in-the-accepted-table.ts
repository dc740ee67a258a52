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
 * should the migration stop part way. The store procedures that write the log this way come with
 * the next migration (0017), which changes the event rows they write too: a node runs no code
 * before every migration ran.
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
 * Back to the chosen-log table: the rows at or below the watermark are copied out of the view
 * (the accepts keep their chosen values, which is safe).
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE paxos_chosen_rows (slot BIGINT PRIMARY KEY, value LONGTEXT NOT NULL)
    ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`.execute(db);
  await sql`INSERT INTO paxos_chosen_rows (slot, value) SELECT slot, value FROM paxos_chosen`.execute(db);
  await sql`DROP VIEW paxos_chosen`.execute(db);
  await sql`RENAME TABLE paxos_chosen_rows TO paxos_chosen`.execute(db);
  await sql`CREATE INDEX paxos_chosen_kind ON paxos_chosen (value(10))`.execute(db);
  await sql`DROP INDEX paxos_accepted_kind ON paxos_accepted`.execute(db);
}
