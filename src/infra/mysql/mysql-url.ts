import type { PoolOptions } from 'mysql2';
import { DATABASE_NAME_PATTERN } from './database-name';
import { MysqlConfigError } from './mysql-config-error';

/** The connection settings a `MYSQL_URL` carries, in mysql2's own option names. */
export type MysqlConnectionOptions = Required<Pick<PoolOptions, 'host' | 'port' | 'user'>> &
  Pick<PoolOptions, 'password' | 'database'>;

/** The port MySQL and MariaDB listen on when the URL names none. */
export const MYSQL_DEFAULT_PORT = 3306;

/**
 * Parses `mysql://user[:password]@host[:port][/database]` into mysql2 options. User and
 * password are percent-decoded, so a password may hold `@` or `/` as `%40` and `%2F`.
 *
 * @example parseMysqlUrl('mysql://root@127.0.0.1:3306') // { host: '127.0.0.1', port: 3306, user: 'root' }
 * @throws MysqlConfigError naming what is wrong; the message never shows the password.
 */
export function parseMysqlUrl(url: string): MysqlConnectionOptions {
  const parsed = tryParse(url);
  const shown = redactMysqlUrl(url);
  if (parsed.protocol !== 'mysql:') fail(shown, `scheme must be mysql://, got ${parsed.protocol}//`);
  if (parsed.hostname === '') fail(shown, 'a host is required');
  if (parsed.username === '') fail(shown, 'a user is required, e.g. mysql://root@127.0.0.1:3306');
  if (parsed.search !== '' || parsed.hash !== '') fail(shown, 'query parameters and fragments are not supported');
  const port = parsed.port === '' ? MYSQL_DEFAULT_PORT : Number(parsed.port);
  if (port < 1) fail(shown, 'port must be in 1..65535');
  const database = parseDatabase(parsed.pathname, shown);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    user: decode(parsed.username, shown),
    ...(parsed.password === '' ? {} : { password: decode(parsed.password, shown) }),
    ...(database === undefined ? {} : { database }),
  };
}

/** The URL with its password replaced by `***`, safe to log. */
export function redactMysqlUrl(url: string): string {
  // Greedy up to the last `@` of the authority, as URL parsers split there too.
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:@/]*:)[^/]*@/i, '$1***@');
}

function tryParse(url: string): URL {
  try {
    return new URL(url);
  } catch {
    // The WHATWG parser's own message repeats the input, password included.
    return fail(redactMysqlUrl(url), 'not a URL (expected mysql://user[:password]@host[:port][/database])');
  }
}

function parseDatabase(pathname: string, shown: string): string | undefined {
  const name = decode(pathname.replace(/^\//, ''), shown);
  if (name === '') return undefined;
  if (!DATABASE_NAME_PATTERN.test(name))
    fail(shown, `database name must match ${DATABASE_NAME_PATTERN.source}, got "${name}"`);
  return name;
}

function decode(part: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(shown, 'bad percent-encoding');
  }
}

function fail(shown: string, why: string): never {
  throw new MysqlConfigError(`MYSQL_URL ${shown} is invalid: ${why}`);
}
