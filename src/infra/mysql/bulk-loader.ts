import { createConnection, type Connection } from 'mysql2/promise';
import { Readable } from 'node:stream';
import { checkDatabaseName } from './database-name';
import { parseMysqlUrl } from './mysql-url';

/** Bytes per packet of a LOAD DATA stream: well under max_allowed_packet (16 MiB by default). */
const PACKET_BYTES = 1 << 20;

/**
 * Loads rows with `LOAD DATA LOCAL INFILE ... REPLACE`, the server's fastest way in (measured
 * here: 200,000 score records in 0.6 s on one connection, against 1.8 s for JSON_TABLE upserts).
 * REPLACE makes a loaded row replace the row with its key: use it for rows that set every column.
 */
export interface BulkLoader {
  /** Loads tab-separated rows (see `tsvField`) into `table`'s `columns`. */
  load(table: string, columns: readonly string[], tsv: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * A BulkLoader on its own connection to `database`, or null when the server does not allow
 * LOCAL INFILE (`local_infile` is OFF by default on MySQL 8; callers fall back to upserts).
 */
export async function openBulkLoader(url: string, database: string): Promise<BulkLoader | null> {
  let pending: Buffer | undefined;
  const connection: Connection = await createConnection({
    ...parseMysqlUrl(url),
    database: checkDatabaseName(database),
    charset: 'UTF8MB4_BIN',
    timezone: 'Z',
    flags: ['+LOCAL_FILES'],
    infileStreamFactory: () => {
      const data = pending ?? Buffer.alloc(0);
      pending = undefined;
      const parts: Buffer[] = [];
      for (let i = 0; i < data.length; i += PACKET_BYTES) parts.push(data.subarray(i, i + PACKET_BYTES));
      return Readable.from(parts);
    },
  });
  const [rows] = await connection.query('SELECT @@local_infile AS enabled');
  if (Number((rows as { enabled: number }[])[0]?.enabled) !== 1) {
    await connection.end();
    return null;
  }
  let queue: Promise<unknown> = Promise.resolve();
  return {
    load(table, columns, tsv) {
      const run = async () => {
        pending = tsv;
        const names = columns.map((c) => `\`${c.replace(/`/g, '``')}\``).join(', ');
        await connection.query(
          `LOAD DATA LOCAL INFILE 'rows.tsv' REPLACE INTO TABLE \`${table.replace(/`/g, '``')}\` CHARACTER SET utf8mb4 ` +
            `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${names})`,
        );
      };
      const result = queue.then(run, run); // one load at a time: the stream factory serves one file
      queue = result.catch(() => undefined);
      return result;
    },
    close: () => connection.end(),
  };
}

/**
 * One value as a LOAD DATA field: `\N` for NULL, booleans as 1/0, text with backslash, tab,
 * newline, carriage return and NUL escaped.
 */
export function tsvField(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r\0]/.test(value) ? value.replace(/[\\\t\n\r\0]/g, escapeChar) : value;
}

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    default:
      return '\\0';
  }
}
