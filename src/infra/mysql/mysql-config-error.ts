/**
 * MySQL settings that must not run: a malformed `MYSQL_URL`, a bad database name, a pool size
 * out of range. An operating error: the node reports it and refuses to start.
 */
export class MysqlConfigError extends Error {
  override readonly name = 'MysqlConfigError';
}
