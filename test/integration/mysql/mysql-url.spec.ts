import { MysqlConfigError } from '../../../src/infra/mysql/mysql-config-error';
import { parseMysqlUrl, redactMysqlUrl } from '../../../src/infra/mysql/mysql-url';
import { createKysely } from '../../../src/infra/mysql/database';
import { sql } from 'kysely';
import { MYSQL_URL } from './test-database';

describe('parseMysqlUrl', () => {
  it('reads user, host and port', () => {
    expect(parseMysqlUrl('mysql://root@127.0.0.1:3306')).toEqual({ host: '127.0.0.1', port: 3306, user: 'root' });
  });

  it('reads a percent-encoded password, a database, and defaults the port', () => {
    expect(parseMysqlUrl('mysql://app:p%40ss%2Fw0rd@db.local/behavior_n1')).toEqual({
      host: 'db.local',
      port: 3306,
      user: 'app',
      password: 'p@ss/w0rd',
      database: 'behavior_n1',
    });
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(parseMysqlUrl('mysql://root@[::1]:3307').host).toBe('::1');
  });

  it.each([
    ['not a url', 'not a URL'],
    ['postgres://root@127.0.0.1:5432', 'scheme must be mysql://'],
    ['mysql://127.0.0.1:3306', 'a user is required'],
    ['mysql://root@127.0.0.1:99999', 'not a URL'],
    ['mysql://root@127.0.0.1:3306/a/b', 'database name must match'],
    ['mysql://root@127.0.0.1:3306?ssl=true', 'query parameters'],
  ])('refuses %s with a clear error', (url, why) => {
    expect(() => parseMysqlUrl(url)).toThrow(MysqlConfigError);
    expect(() => parseMysqlUrl(url)).toThrow(why);
  });

  it('never shows the password in its error', () => {
    const attempt = (): unknown => parseMysqlUrl('mysqlx://app:s3cret@host:3306');
    expect(attempt).toThrow('mysqlx://app:***@host:3306');
    expect(attempt).not.toThrow(/s3cret/);
    expect(redactMysqlUrl('mysql://u:p@ss@h/db')).toBe('mysql://u:***@h/db');
  });

  it('gives options a real connection works with', async () => {
    const db = createKysely(MYSQL_URL, 'mysql', 1);
    try {
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
      expect(rows[0].one).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a pool size out of range', () => {
    expect(() => createKysely(MYSQL_URL, 'mysql', 0)).toThrow(MysqlConfigError);
    expect(() => createKysely(MYSQL_URL, 'bad name;', 1)).toThrow(MysqlConfigError);
  });
});
