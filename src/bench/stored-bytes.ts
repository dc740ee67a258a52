import { createConnection } from 'mysql2/promise';
import { checkDatabaseName } from '../infra/mysql/database-name';
import { parseMysqlUrl } from '../infra/mysql/mysql-url';

/** What one node stores per applied command, in bytes: the log's values, the events, the outcome rows. */
export interface StoredPerCommand {
  readonly database: string;
  /** Commands applied: those recorded by their events' command key, and those with an outcome row. */
  readonly commands: number;
  /** Bytes of column values, per command, by table (what a copy of each row carries). */
  readonly valueBytes: { readonly log: number; readonly events: number; readonly outcomes: number; readonly total: number };
  /** InnoDB's pages (data and indexes, after ANALYZE TABLE), per command, by table. */
  readonly diskBytes: Record<string, number>;
}

const TABLES = ['paxos_accepted', 'event_log', 'applied_commands'] as const;

/**
 * Measures a node database's storage per applied command: the sum of the value bytes of the log
 * (`paxos_accepted`, one row per slot), the events and the outcome rows, and InnoDB's allocated
 * pages for each table.
 */
export async function storedPerCommand(mysqlUrl: string, database: string): Promise<StoredPerCommand> {
  const connection = await createConnection({ ...parseMysqlUrl(mysqlUrl), database: checkDatabaseName(database) });
  const one = async (query: string): Promise<{ n: number; bytes: number }> => {
    const [rows] = await connection.query(query);
    const row = (rows as { n: number | string; bytes: number | string | null }[])[0];
    return { n: Number(row.n), bytes: Number(row.bytes ?? 0) };
  };
  try {
    const log = await one('SELECT COUNT(*) AS n, SUM(8 + LENGTH(ballot_node) + 8 + LENGTH(value)) AS bytes FROM paxos_accepted');
    const events = await one(
      `SELECT COUNT(*) AS n, SUM(8 + 8 + LENGTH(command_id) + 4 + LENGTH(stream_type) + LENGTH(stream_id) + 4 + LENGTH(type) + 2 + LENGTH(data) + LENGTH(metadata)) AS bytes FROM event_log`,
    );
    const withEvents = await one('SELECT COUNT(*) AS n, 0 AS bytes FROM event_log WHERE command_index = 0');
    const outcomes = await one('SELECT COUNT(*) AS n, SUM(LENGTH(command_id) + 8 + LENGTH(outcome)) AS bytes FROM applied_commands');
    const commands = withEvents.n + outcomes.n;
    const per = (bytes: number) => (commands === 0 ? 0 : Math.round(bytes / commands));
    await connection.query(`ANALYZE TABLE ${TABLES.join(', ')}`);
    const [sizes] = await connection.query(
      `SELECT TABLE_NAME AS name, DATA_LENGTH + INDEX_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)`,
      [TABLES],
    );
    const diskBytes = Object.fromEntries((sizes as { name: string; bytes: number | string }[]).map((s) => [s.name, per(Number(s.bytes))]));
    return {
      database,
      commands,
      valueBytes: { log: per(log.bytes), events: per(events.bytes), outcomes: per(outcomes.bytes), total: per(log.bytes + events.bytes + outcomes.bytes) },
      diskBytes,
    };
  } finally {
    await connection.end();
  }
}
