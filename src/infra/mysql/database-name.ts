import { MysqlConfigError } from './mysql-config-error';

/**
 * The database names this project uses: letters, digits, `_` and `-`. Names are always
 * backtick-quoted in SQL, and this pattern is what makes that quoting safe.
 */
export const DATABASE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The database of one node: `behavior_<nodeId>`.
 *
 * @example databaseNameForNode('n1') // 'behavior_n1'
 * @throws MysqlConfigError when the node id would make an unusable name.
 */
export function databaseNameForNode(nodeId: string): string {
  return checkDatabaseName(`behavior_${nodeId}`);
}

/**
 * Returns `name` when it matches DATABASE_NAME_PATTERN.
 *
 * @throws MysqlConfigError otherwise.
 */
export function checkDatabaseName(name: string): string {
  if (!DATABASE_NAME_PATTERN.test(name)) {
    throw new MysqlConfigError(`database name must match ${DATABASE_NAME_PATTERN.source}, got "${name}"`);
  }
  return name;
}
