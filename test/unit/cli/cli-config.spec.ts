import { cliConfigFromEnv, envSuffix, nodeOption } from '../../../src/cli/cli-config';
import { CliUsageError } from '../../../src/cli/cli-errors';
import { tsvField } from '../../../src/infra/mysql/bulk-loader';
import { groupAsTsv } from '../../../src/projections/upsert-writer';

describe('CLI configuration from the environment', () => {
  it('defaults to n1..n3 on the local servers, databases behavior_<id>', () => {
    const config = cliConfigFromEnv({});
    expect(config.members).toEqual(['n1', 'n2', 'n3']);
    expect(config.defaultNode).toBe('n1');
    expect(config.clusterName).toBe('behavior');
    expect(config.apiPrefix).toBe('behavior');
    expect(config.natsUrl).toBe('nats://127.0.0.1:4222');
    expect([...config.mysql]).toEqual([
      ['n1', { url: 'mysql://root@127.0.0.1:3306', database: 'behavior_n1' }],
      ['n2', { url: 'mysql://root@127.0.0.1:3306', database: 'behavior_n2' }],
      ['n3', { url: 'mysql://root@127.0.0.1:3306', database: 'behavior_n3' }],
    ]);
  });

  it('takes per-node MySQL URL and database overrides, and NODE_ID as the default node', () => {
    const config = cliConfigFromEnv({
      CLUSTER_NODES: 'a-1, b_2',
      NODE_ID: 'b_2',
      MYSQL_URL: 'mysql://root@10.0.0.1:3306',
      MYSQL_URL_A_1: 'mysql://root@127.0.0.1:3307',
      MYSQL_DATABASE_B_2: 'other_db',
    });
    expect(config.defaultNode).toBe('b_2');
    expect(config.mysql.get('a-1')).toEqual({ url: 'mysql://root@127.0.0.1:3307', database: 'behavior_a-1' });
    expect(config.mysql.get('b_2')).toEqual({ url: 'mysql://root@10.0.0.1:3306', database: 'other_db' });
    expect(envSuffix('a-1')).toBe('A_1');
  });

  it('finds the database of a node that is not a member yet (a restore), with the same overrides', () => {
    const config = cliConfigFromEnv({ CLUSTER_NODES: 'n1', MYSQL_URL: 'mysql://root@10.0.0.1:3306', MYSQL_DATABASE_N4: 'restored_n4' });
    expect(config.mysqlFor('n4')).toEqual({ url: 'mysql://root@10.0.0.1:3306', database: 'restored_n4' });
    expect(config.mysqlFor('n5')).toEqual({ url: 'mysql://root@10.0.0.1:3306', database: 'behavior_n5' });
    expect(config.mysqlFor('n1')).toEqual(config.mysql.get('n1'));
    expect(() => config.mysqlFor('n5; DROP')).toThrow(CliUsageError);
  });

  it('refuses bad names as usage errors; --node also names a node added online', () => {
    expect(() => cliConfigFromEnv({ CLUSTER_NODES: ' , ' })).toThrow(CliUsageError);
    expect(() => cliConfigFromEnv({ CLUSTER_NODES: 'n1,bad node' })).toThrow(/CLUSTER_NODES/);
    expect(() => cliConfigFromEnv({ CLUSTER_NAME: 'a.b' })).toThrow(/CLUSTER_NAME/);
    expect(() => cliConfigFromEnv({ API_SUBJECT_PREFIX: 'x>' })).toThrow(/API_SUBJECT_PREFIX/);
    const config = cliConfigFromEnv({});
    expect(nodeOption(config, undefined)).toBe('n1');
    expect(nodeOption(config, 'n3')).toBe('n3');
    expect(nodeOption(config, 'n4')).toBe('n4');
    expect(() => nodeOption(config, 'n4 x')).toThrow(CliUsageError);
  });
});

describe('LOAD DATA fields', () => {
  it('writes NULL as \\N, booleans as 1/0, and escapes backslash, tab, newline, carriage return and NUL', () => {
    expect(tsvField(null)).toBe('\\N');
    expect(tsvField(true)).toBe('1');
    expect(tsvField(false)).toBe('0');
    expect(tsvField(-12)).toBe('-12');
    expect(tsvField('plain text')).toBe('plain text');
    expect(tsvField('a\\b\tc\nd\re\0f')).toBe('a\\\\b\\tc\\nd\\re\\0f');
    expect(tsvField('\\N')).toBe('\\\\N');
  });
});

describe('LOAD DATA rows (groupAsTsv)', () => {
  it('writes each row in table column order: booleans as 1/0, times as DATETIME text, NULL as \\N, texts escaped, over chunk boundaries', () => {
    const set = (i: number) => ({
      name: i === 0 ? 'Tab\there' : `S${i}`,
      class_name: '7a',
      score: 100 + i,
      initial_score: 100,
      frozen: i % 2 === 0,
      archived: false,
      updated_at: '2026-12-04T08:00:00.123Z',
      position: i + 1,
    });
    const rows = Array.from({ length: 30_000 }, (_, i) => ({ key: `s${i}`, set: set(i) }));
    const group = { table: 'students' as const, updates: Object.keys(set(0)).sort(), rows };
    const lines = groupAsTsv(group).toString('utf8').split('\n');
    expect(lines).toHaveLength(30_001);
    expect(lines[30_000]).toBe('');
    expect(lines[0]).toBe('s0\tTab\\there\t7a\t100\t100\t1\t0\t2026-12-04 08:00:00.123\t1');
    expect(lines[29_999]).toBe('s29999\tS29999\t7a\t30099\t100\t0\t0\t2026-12-04 08:00:00.123\t30000');
  });

  it('fills a column the set lacks with its default and writes a null as \\N', () => {
    const group = {
      table: 'score_records' as const,
      updates: [],
      rows: [{ key: 7, set: { student_id: 's1', delta: 3, reason: 'r', actor: 'root', actor_role: 'admin', source: 'direct', new_score: 103, at: '2026-12-04T08:00:00.000Z', saga_id: null } }],
    };
    const [line] = groupAsTsv(group).toString('utf8').split('\n');
    // 12: the key, ten columns and reason_code (migration 0008).
    expect(line.split('\t')).toHaveLength(12);
    expect(line).toMatch(/^7\ts1\t3\tr\troot\tadmin\tdirect\t103\t\\N\t/);
  });
});
