import { createConnection } from 'mysql2/promise';
import { benchBareRound, benchMariadbFloor } from '../../../src/bench/floor';
import { parseMysqlUrl } from '../../../src/infra/mysql/mysql-url';
import { MYSQL_URL } from '../mysql/test-database';
import { NATS_URL } from '../nats/nats-test-support';

async function floorDatabases(): Promise<string[]> {
  const c = await createConnection({ ...parseMysqlUrl(MYSQL_URL), database: undefined });
  try {
    const [rows] = await c.query("SHOW DATABASES LIKE 'behavior_bench_floor%'");
    return (rows as Record<string, string>[]).map((r) => Object.values(r)[0]);
  } finally {
    await c.end();
  }
}

describe('the floors the benchmark measures (real MySQL, real NATS, real processes)', () => {
  it('given a bare round of three processes, then every request is answered after its durable accepts, and its databases are dropped', async () => {
    const result = await benchBareRound(MYSQL_URL, NATS_URL, Buffer.from('{"stream":"bench","data":"x"}'), 100);
    expect(result.ops).toBe(100);
    expect(result.errors).toBe(0);
    expect(result.p50Ms).toBeGreaterThan(0);
    expect(await floorDatabases()).toEqual([]);
  });

  it('given three nodes storing only accepts and log rows, then it reports mariadbd CPU per write, and drops its databases', async () => {
    const floor = await benchMariadbFloor(MYSQL_URL, 200, 20, 10);
    expect(floor.ops).toBe(200);
    expect(floor.opsPerSec).toBeGreaterThan(0);
    expect(floor.mariadbMicrosPerOp).toBeGreaterThan(0);
    expect(await floorDatabases()).toEqual([]);
  });
});
