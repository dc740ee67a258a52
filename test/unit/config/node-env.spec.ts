import { ConfigError } from '../../../src/consensus';
import { parseEnv } from '../../../src/config/env-schema';
import { NODE_ENV, NODE_ENV_SCHEMA, type NodeEnv, parseNodeEnv } from '../../../src/config/node-env';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { recordsServiceEnvOf, supervisorEnvOf } from '../../../src/config/tool-env';
import { cliConfigFromEnv } from '../../../src/cli/cli-config';
import { CliUsageError } from '../../../src/cli/cli-errors';
import { randomJwtSecret } from '../../support/jwt-secret';

const secret = randomJwtSecret();
const withSecret = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ JWT_SECRET: secret, ...env });

/** The message `parseNodeEnv` refuses `env` with (fails the test when it accepts it). */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    parseNodeEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("the node's configuration schema", () => {
  it('fills every default when only the secret is set', () => {
    const env = parseNodeEnv({ JWT_SECRET: secret });
    expect(env).toMatchObject({
      NODE_ID: 'n1',
      CLUSTER_NODES: ['n1', 'n2', 'n3'],
      CLUSTER_NAME: 'behavior',
      API_SUBJECT_PREFIX: 'behavior',
      TICK_MS: 50,
      PROPOSAL_TIMEOUT_MS: 10_000,
      HTTP_PORT: 3000,
      HTTP_PORT_RANGE: 0,
      HTTP_HOST: '127.0.0.1',
      ADMIN_HTTP_HOST: '127.0.0.1',
      HTTP_RATE_LIMIT_PER_SECOND: 100,
      TRUST_PROXY: false,
      LIVE_STREAM_KEEPALIVE_MS: 15_000,
      NATS_URL: 'nats://127.0.0.1:4222',
      PUBLIC_REQUESTS_MAX: 1024,
      MYSQL_URL: 'mysql://root@127.0.0.1:3306',
      MYSQL_DATABASE: 'behavior_n1',
      MYSQL_POOL_SIZE: 8,
      MYSQL_CONSENSUS_POOL_SIZE: 4,
      MYSQL_READ_POOL_SIZE: 4,
      MYSQL_READ_TIMEOUT_MS: 5000,
      UNSAFE_DURABILITY: false,
      JWT_EXPIRES_IN_SECONDS: 3600,
      LOGIN_FAILURES_PER_ACCOUNT: 5,
      LOGIN_FAILURES_PER_ADDRESS: 20,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'pretty',
      ACCESS_LOG_SLOW_MS: 1000,
      ACCESS_LOG_PER_SECOND: 20,
      ACCESS_LOG_SAMPLE_RATE: 0.01,
      SAGA_CHUNK_STUDENTS_MAX: 50,
      RECORDS_TIMEOUT_MS: 5000,
      RECORDS_SUBJECT: 'records.archive.store',
      SAGA_STEP_DELAY_MS: 0,
      AGGREGATE_SNAPSHOT_EVERY_EVENTS: 100_000,
      AGGREGATE_SNAPSHOT_INTERVAL_MS: 300_000,
      AGGREGATE_CACHE_MAX: 50_000,
      SNAPSHOT_CATCHUP_MIN_SLOTS: 1_000_000,
      SCORE_MIN: 0,
      SCORE_MAX: 200,
      SCHOOL_TIME_ZONE: 'UTC',
      WRITE_PREVIOUS_EVENT_SCHEMAS: false,
      BENCH_LOG_APPEND: false,
      EXIT_WITH_PARENT: false,
    });
    for (const name of ['PHASE1_QUORUM', 'PHASE2_QUORUM', 'ADVERTISED_HTTP_URL', 'ADMIN_HTTP_PORT', 'NATS_USER', 'NATS_PASSWORD', 'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'JWT_SECRETS', 'GIT_COMMIT'] as const) {
      expect([name, env[name]]).toEqual([name, undefined]);
    }
  });

  it('uses the default the docs show: setting each variable to its documented default changes nothing', () => {
    const defaults = parseNodeEnv({ JWT_SECRET: secret });
    const documented = Object.entries(NODE_ENV_SCHEMA).filter(([, v]) => v.defaultValue !== undefined);
    expect(documented.length).toBeGreaterThan(30);
    for (const [name, variable] of documented) {
      const explicit = parseNodeEnv({ JWT_SECRET: secret, [name]: variable.defaultValue });
      expect([name, explicit[name as keyof NodeEnv]]).toEqual([name, defaults[name as keyof NodeEnv]]);
    }
  });

  it('fills defaults that follow another variable from it', () => {
    expect(parseNodeEnv(withSecret({ NODE_ID: 'n2' })).MYSQL_DATABASE).toBe('behavior_n2');
    expect(parseNodeEnv(withSecret({ HTTP_HOST: '0.0.0.0' })).ADMIN_HTTP_HOST).toBe('0.0.0.0');
    expect(parseNodeEnv(withSecret({ HTTP_HOST: '0.0.0.0', ADMIN_HTTP_HOST: '127.0.0.1' })).ADMIN_HTTP_HOST).toBe('127.0.0.1');
  });

  it('ignores variables it does not know', () => {
    const env = parseNodeEnv(withSecret({ HTTP_PORTS: 'nonsense', FOO: 'bar', PATH: '/usr/bin' }));
    expect(env).toEqual(parseNodeEnv(withSecret({})));
    expect(Object.keys(env).sort()).toEqual(Object.keys(NODE_ENV_SCHEMA).sort());
  });

  it('takes an empty value as unset, except where an empty value is a value', () => {
    expect(parseNodeEnv(withSecret({ HTTP_PORT: '', API_SUBJECT_PREFIX: '', NATS_USER: '' }))).toMatchObject({ HTTP_PORT: 3000, API_SUBJECT_PREFIX: 'behavior', NATS_USER: undefined });
    expect(parseNodeEnv(withSecret({ HTTP_HOST: '' })).HTTP_HOST).toBe('');
  });

  it('reads set values with their types', () => {
    const env = parseNodeEnv({
      JWT_SECRETS: `a:${secret},b:${secret}`,
      NODE_ID: 'b',
      CLUSTER_NODES: 'a, b ,c,d,e',
      PHASE1_QUORUM: '4',
      PHASE2_QUORUM: '2',
      TRUST_PROXY: 'loopback,10.0.0.0/8',
      UNSAFE_DURABILITY: 'true',
      LOG_FORMAT: 'json',
      ADVERTISED_HTTP_URL: 'https://b.example.org/',
      SCORE_MIN: '-50',
    });
    expect(env).toMatchObject({
      NODE_ID: 'b',
      CLUSTER_NODES: ['a', 'b', 'c', 'd', 'e'],
      PHASE1_QUORUM: 4,
      PHASE2_QUORUM: 2,
      TRUST_PROXY: ['loopback', '10.0.0.0/8'],
      UNSAFE_DURABILITY: true,
      LOG_FORMAT: 'json',
      ADVERTISED_HTTP_URL: 'https://b.example.org',
      SCORE_MIN: -50,
      JWT_SECRETS: [
        { kid: 'a', secret },
        { kid: 'b', secret },
      ],
    });
  });

  const refused: [NodeJS.ProcessEnv, string, RegExp][] = [
    [{ NODE_ID: 'n 1' }, 'NODE_ID', /NODE_ID must match/],
    [{ NODE_ID: '' }, 'NODE_ID', /NODE_ID must match/],
    [{ CLUSTER_NODES: ' , ' }, 'CLUSTER_NODES', /CLUSTER_NODES must name at least one node/],
    [{ CLUSTER_NODES: 'n1,n1' }, 'CLUSTER_NODES', /CLUSTER_NODES names n1 twice/],
    [{ CLUSTER_NODES: 'n1,bad id' }, 'CLUSTER_NODES', /CLUSTER_NODES: node id "bad id" must match/],
    [{ CLUSTER_NAME: 'a.b' }, 'CLUSTER_NAME', /CLUSTER_NAME must match \[A-Za-z0-9_-\]\{1,64\}, got a\.b/],
    [{ API_SUBJECT_PREFIX: 'x>' }, 'API_SUBJECT_PREFIX', /API_SUBJECT_PREFIX must match/],
    [{ PHASE1_QUORUM: '0' }, 'PHASE1_QUORUM', /PHASE1_QUORUM must be at least 1, got 0/],
    [{ PHASE1_QUORUM: '4' }, 'PHASE1_QUORUM', /PHASE1_QUORUM must be 1..3/],
    [{ PHASE2_QUORUM: '4' }, 'PHASE2_QUORUM', /PHASE2_QUORUM must be 1..3/],
    [{ PHASE1_QUORUM: '2', PHASE2_QUORUM: '1' }, 'PHASE2_QUORUM', /PHASE1_QUORUM \(2\) \+ PHASE2_QUORUM \(1\) must exceed the 3 members/],
    [{ PHASE1_QUORUM: '1', PHASE2_QUORUM: '3' }, 'PHASE1_QUORUM', /PHASE1_QUORUM \(1\) must be a majority of the 3 members/],
    [{ TICK_MS: '0' }, 'TICK_MS', /TICK_MS must be 1..50 \(the heartbeat interval\), got 0/],
    [{ TICK_MS: '51' }, 'TICK_MS', /TICK_MS must be 1..50/],
    [{ PROPOSAL_TIMEOUT_MS: 'soon' }, 'PROPOSAL_TIMEOUT_MS', /PROPOSAL_TIMEOUT_MS must be a non-negative integer, got soon/],
    [{ HTTP_PORT: '0' }, 'HTTP_PORT', /HTTP_PORT must be 1..65535, got 0/],
    [{ HTTP_PORT: '65536' }, 'HTTP_PORT', /HTTP_PORT must be 1..65535/],
    [{ HTTP_PORT: '3e3' }, 'HTTP_PORT', /HTTP_PORT must be a non-negative integer/],
    [{ HTTP_PORT_RANGE: '-1' }, 'HTTP_PORT_RANGE', /HTTP_PORT_RANGE must be a non-negative integer/],
    [{ HTTP_PORT: '65530', HTTP_PORT_RANGE: '10' }, 'HTTP_PORT_RANGE', /HTTP_PORT_RANGE \(10\) must not take HTTP_PORT \(65530\) past 65535/],
    [{ HTTP_HOST: '0.0.0.0', ADVERTISED_HTTP_URL: 'ftp://n1.example.org' }, 'ADVERTISED_HTTP_URL', /ADVERTISED_HTTP_URL must be an http\(s\) URL/],
    [{ ADVERTISED_HTTP_URL: 'not a url' }, 'ADVERTISED_HTTP_URL', /ADVERTISED_HTTP_URL must be an http\(s\) URL/],
    [{ HTTP_RATE_LIMIT_PER_SECOND: '0' }, 'HTTP_RATE_LIMIT_PER_SECOND', /HTTP_RATE_LIMIT_PER_SECOND must be 1..1000000/],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY', /TRUST_PROXY must be false, a hop count/],
    [{ LIVE_STREAM_KEEPALIVE_MS: '99' }, 'LIVE_STREAM_KEEPALIVE_MS', /LIVE_STREAM_KEEPALIVE_MS must be 100..60000, got 99/],
    [{ ADMIN_HTTP_PORT: '3000' }, 'ADMIN_HTTP_PORT', /ADMIN_HTTP_PORT must differ from HTTP_PORT \(3000\)/],
    [{ ADMIN_HTTP_PORT: '70000' }, 'ADMIN_HTTP_PORT', /ADMIN_HTTP_PORT must be 1..65535/],
    [{ NATS_URL: '' }, 'NATS_URL', /NATS_URL must be a comma list of NATS server URLs/],
    [{ NATS_URL: 'nats://a:4222,,nats://b:4222' }, 'NATS_URL', /NATS_URL must be a comma list/],
    [{ PUBLIC_REQUESTS_MAX: '0' }, 'PUBLIC_REQUESTS_MAX', /PUBLIC_REQUESTS_MAX must be 1..1000000, got 0/],
    [{ MYSQL_URL: 'postgres://root@127.0.0.1' }, 'MYSQL_URL', /MYSQL_URL .* is invalid: scheme must be mysql:\/\//],
    [{ MYSQL_URL: '' }, 'MYSQL_URL', /MYSQL_URL .*is invalid/],
    [{ MYSQL_DATABASE: 'behavior n1' }, 'MYSQL_DATABASE', /MYSQL_DATABASE must match/],
    [{ MYSQL_POOL_SIZE: '0' }, 'MYSQL_POOL_SIZE', /MYSQL_POOL_SIZE must be 1..64, got 0/],
    [{ MYSQL_CONSENSUS_POOL_SIZE: '65' }, 'MYSQL_CONSENSUS_POOL_SIZE', /MYSQL_CONSENSUS_POOL_SIZE must be 1..64/],
    [{ MYSQL_READ_POOL_SIZE: 'four' }, 'MYSQL_READ_POOL_SIZE', /MYSQL_READ_POOL_SIZE must be a non-negative integer/],
    [{ MYSQL_READ_TIMEOUT_MS: '50' }, 'MYSQL_READ_TIMEOUT_MS', /MYSQL_READ_TIMEOUT_MS must be 0 \(no limit\) or 100..600000, got 50/],
    [{ UNSAFE_DURABILITY: 'yes' }, 'UNSAFE_DURABILITY', /UNSAFE_DURABILITY must be 1, true, 0 or false, got 'yes'/],
    [{ JWT_SECRET: 's'.repeat(31) }, 'JWT_SECRET', /JWT_SECRET must be at least 32 bytes, got 31/],
    [{ JWT_SECRET: '', NODE_ENV: 'production' }, 'JWT_SECRET', /JWT_SECRET is not set: set it to a random secret of at least 32 bytes/],
    [{ JWT_SECRETS: `a:${secret}` }, 'JWT_SECRETS', /set JWT_SECRET or JWT_SECRETS, not both/],
    [{ JWT_SECRET: '', JWT_SECRETS: `a:${secret},b:short` }, 'JWT_SECRETS', /JWT_SECRETS key b must be at least 32 bytes/],
    [{ JWT_EXPIRES_IN_SECONDS: '0' }, 'JWT_EXPIRES_IN_SECONDS', /JWT_EXPIRES_IN_SECONDS must be 1..604800, got 0/],
    [{ LOGIN_FAILURES_PER_ACCOUNT: '0' }, 'LOGIN_FAILURES_PER_ACCOUNT', /LOGIN_FAILURES_PER_ACCOUNT must be 1..1000000/],
    [{ LOGIN_FAILURES_PER_ADDRESS: '1000001' }, 'LOGIN_FAILURES_PER_ADDRESS', /LOGIN_FAILURES_PER_ADDRESS must be 1..1000000/],
    [{ ADMIN_USERNAME: 'root' }, 'ADMIN_USERNAME', /set both ADMIN_USERNAME and ADMIN_PASSWORD .*ADMIN_USERNAME alone is set/],
    [{ ADMIN_PASSWORD: 'pw' }, 'ADMIN_PASSWORD', /ADMIN_PASSWORD alone is set/],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'/],
    [{ LOG_LEVEL: '' }, 'LOG_LEVEL', /LOG_LEVEL must be one of/],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT', /LOG_FORMAT must be one of pretty, json, got 'xml'/],
    [{ ACCESS_LOG_SLOW_MS: '-1' }, 'ACCESS_LOG_SLOW_MS', /ACCESS_LOG_SLOW_MS must be a non-negative integer/],
    [{ ACCESS_LOG_PER_SECOND: '1.5' }, 'ACCESS_LOG_PER_SECOND', /ACCESS_LOG_PER_SECOND must be a non-negative integer/],
    [{ ACCESS_LOG_SAMPLE_RATE: '1.5' }, 'ACCESS_LOG_SAMPLE_RATE', /ACCESS_LOG_SAMPLE_RATE must be a number from 0 to 1, got 1.5/],
    [{ SAGA_CHUNK_STUDENTS_MAX: '201' }, 'SAGA_CHUNK_STUDENTS_MAX', /SAGA_CHUNK_STUDENTS_MAX must be 1..200, got 201/],
    [{ RECORDS_TIMEOUT_MS: '99' }, 'RECORDS_TIMEOUT_MS', /RECORDS_TIMEOUT_MS must be at least 100, got 99/],
    [{ SAGA_STEP_DELAY_MS: 'x' }, 'SAGA_STEP_DELAY_MS', /SAGA_STEP_DELAY_MS must be a non-negative integer/],
    [{ AGGREGATE_SNAPSHOT_EVERY_EVENTS: 'often' }, 'AGGREGATE_SNAPSHOT_EVERY_EVENTS', /AGGREGATE_SNAPSHOT_EVERY_EVENTS must be a non-negative integer/],
    [{ AGGREGATE_SNAPSHOT_INTERVAL_MS: '-5' }, 'AGGREGATE_SNAPSHOT_INTERVAL_MS', /AGGREGATE_SNAPSHOT_INTERVAL_MS must be a non-negative integer/],
    [{ AGGREGATE_CACHE_MAX: '-1' }, 'AGGREGATE_CACHE_MAX', /AGGREGATE_CACHE_MAX must be a non-negative integer/],
    [{ SNAPSHOT_CATCHUP_MIN_SLOTS: '1.5' }, 'SNAPSHOT_CATCHUP_MIN_SLOTS', /SNAPSHOT_CATCHUP_MIN_SLOTS must be a non-negative integer/],
    [{ SCORE_MIN: 'ten' }, 'SCORE_MIN', /SCORE_MIN must be an integer between -1000000000 and 1000000000/],
    [{ SCORE_MAX: '99' }, 'SCORE_MAX', /must include the default initial score 100/],
    [{ SCORE_MIN: '150', SCORE_MAX: '120' }, 'SCORE_MAX', /SCORE_MIN \(150\) must not exceed SCORE_MAX \(120\)/],
    [{ SCHOOL_TIME_ZONE: 'Asia/Shangai' }, 'SCHOOL_TIME_ZONE', /SCHOOL_TIME_ZONE must be an IANA time zone such as Asia\/Shanghai or Europe\/Berlin, got "Asia\/Shangai"/],
    [{ WRITE_PREVIOUS_EVENT_SCHEMAS: '2' }, 'WRITE_PREVIOUS_EVENT_SCHEMAS', /WRITE_PREVIOUS_EVENT_SCHEMAS must be 1, true, 0 or false/],
    [{ BENCH_LOG_APPEND: 'on' }, 'BENCH_LOG_APPEND', /BENCH_LOG_APPEND must be 1, true, 0 or false/],
    [{ EXIT_WITH_PARENT: 'yes' }, 'EXIT_WITH_PARENT', /EXIT_WITH_PARENT must be 1, true, 0 or false/],
  ];

  it.each(refused)('refuses %j with a ConfigError naming %s', (env, name, message) => {
    const text = refusal(withSecret(env));
    expect(text).toContain(name);
    expect(text).toMatch(message);
  });

  it('has a refusal case above for every variable that has a rule', () => {
    const free = Object.entries(NODE_ENV_SCHEMA)
      .filter(([, v]) => v.type === 'text')
      .map(([name]) => name);
    const covered = new Set(refused.map(([, name]) => name));
    const missing = Object.keys(NODE_ENV_SCHEMA).filter((name) => !free.includes(name) && !covered.has(name));
    expect(missing).toEqual([]);
  });

  it('never shows a MySQL password in a refusal', () => {
    const text = refusal(withSecret({ MYSQL_URL: 'mysql://root:hunter2-secret@127.0.0.1:3306?x=1' }));
    expect(text).toMatch(/MYSQL_URL .* is invalid/);
    expect(text).not.toContain('hunter2-secret');
  });

  it('names every wrong variable at once, and skips a rule whose variable is already refused', () => {
    const text = refusal(withSecret({ HTTP_PORT: 'http', TICK_MS: '0', ADMIN_HTTP_PORT: 'admin' }));
    expect(text.split('; ')).toEqual([
      'TICK_MS must be 1..50 (the heartbeat interval), got 0',
      'HTTP_PORT must be a non-negative integer, got http',
      'ADMIN_HTTP_PORT must be a non-negative integer, got admin',
    ]);
  });

  it('runs with the public development secret only when NODE_ENV=development and no secret is set', () => {
    expect(nodeConfigFromEnv({ NODE_ENV: 'development' })).toMatchObject({ developmentSecret: true, jwtSecrets: [{ kid: 'development' }] });
    expect(refusal({ NODE_ENV: 'test' })).toMatch(/^JWT_SECRET is not set/);
    expect(refusal({ NODE_ENV: 'development', JWT_SECRET: 'short' })).toMatch(/JWT_SECRET must be at least 32 bytes/);
  });

  it('gives nodeConfigFromEnv the same values', () => {
    const env = withSecret({ NODE_ID: 'n2', HTTP_PORT: '3100', ADMIN_HTTP_PORT: '9100', AGGREGATE_CACHE_MAX: '0', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'pw', GIT_COMMIT: 'abc123', LOG_FORMAT: 'json', EXIT_WITH_PARENT: '1' });
    expect(nodeConfigFromEnv(env)).toMatchObject({
      nodeId: 'n2',
      mysqlDatabase: 'behavior_n2',
      httpPort: 3100,
      adminHttpPort: 9100,
      aggregates: { coldCacheMax: Infinity },
      admin: { username: 'root', password: 'pw' },
      gitCommit: 'abc123',
      logFormat: 'json',
      exitWithParent: true,
      jwtSecrets: [{ kid: 'default', secret }],
      consensus: { nodeId: 'n2', members: ['n1', 'n2', 'n3'], phase1Quorum: 2, phase2Quorum: 2 },
    });
  });

  it('is the one the other programs read shared variables with', () => {
    expect(() => recordsServiceEnvOf({ NATS_URL: '' })).toThrow(/NATS_URL must be a comma list/);
    expect(() => recordsServiceEnvOf({ RECORDS_MODE: 'broken' })).toThrow(/RECORDS_MODE must be one of ok, fail, slow, got 'broken'/);
    expect(() => recordsServiceEnvOf({ RECORDS_DELAY_MS: 'later' })).toThrow(/RECORDS_DELAY_MS must be a non-negative integer/);
    expect(recordsServiceEnvOf({})).toMatchObject({ RECORDS_MODE: 'ok', RECORDS_DELAY_MS: 10_000, RECORDS_SUBJECT: 'records.archive.store' });
    expect(supervisorEnvOf({})).toMatchObject({ CLUSTER_NODES: ['n1', 'n2', 'n3'], CLUSTER_BASE_PORT: 3001, CLUSTER_DATABASE_PREFIX: 'behavior', HTTP_PORT_RANGE: 20 });
    expect(() => supervisorEnvOf({ CLUSTER_BASE_PORT: '99999' })).toThrow(/CLUSTER_BASE_PORT must be 1..65535/);
    expect(() => supervisorEnvOf({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32 bytes/);
    expect(() => supervisorEnvOf({ CLUSTER_DATABASE_PREFIX: 'a b' })).toThrow(/CLUSTER_DATABASE_PREFIX must match/);
    expect(() => cliConfigFromEnv({ MYSQL_URL_N2: 'mysql://root:pw-secret@' })).toThrow(CliUsageError);
    expect(() => cliConfigFromEnv({ MYSQL_URL_N2: 'mysql://root:pw-secret@' })).toThrow(/^MYSQL_URL_N2 mysql:\/\/root:\*\*\*@ is invalid/);
    expect(() => cliConfigFromEnv({ MYSQL_DATABASE_N1: 'a b' })).toThrow(/MYSQL_DATABASE_N1 must match/);
  });

  it('keeps a parse free of side effects on the environment it reads', () => {
    const env = withSecret({ NODE_ID: 'n3' });
    const before = { ...env };
    parseEnv(NODE_ENV, env);
    expect(env).toEqual(before);
  });
});
