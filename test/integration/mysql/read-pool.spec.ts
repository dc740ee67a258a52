import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { randomJwtSecret } from '../../support/jwt-secret';
import type { Actor } from '../../../src/domain';
import { createDatabase, createKysely } from '../../../src/infra/mysql/database';
import { migrateToLatest } from '../../../src/infra/mysql/migrate';
import { parseMysqlUrl } from '../../../src/infra/mysql/mysql-url';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { StudentsRepository, readModelDb } from '../../../src/projections';
import { ACTORS, ACTOR_HEADER, startTestApi } from '../../unit/http/http-test-app';
import { MYSQL_URL, dropDatabase } from './test-database';

const admin: Actor = { username: 'root', role: 'admin' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `statement` on a connection of its own (not one of the node's pools). */
async function adminQuery<T>(statement: string, values: unknown[] = []): Promise<T[]> {
  const connection = await createConnection(parseMysqlUrl(MYSQL_URL));
  try {
    const [rows] = await connection.query(statement, values);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

/** Ids of the server threads running `SELECT SLEEP(...)` in `database`. */
async function sleepers(database: string): Promise<number[]> {
  const rows = await adminQuery<{ ID: number }>("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT SLEEP(%'", [database]);
  return rows.map((r) => Number(r.ID));
}

describe('MySQL pools: reads never delay an accept, and a read past its limit is cut off (real MySQL)', () => {
  const id = randomBytes(4).toString('hex');
  const database = `behavior_test_rp${id}`;
  let node: ConsensusNode | undefined;

  afterAll(async () => {
    for (let i = 0; i < 20 && (await sleepers(database)).length > 0; i++) {
      for (const thread of await sleepers(database)) await adminQuery(`KILL QUERY ${thread}`).catch(() => undefined);
      await sleep(100);
    }
    await node?.stop();
    await dropDatabase(database);
  });

  it('given every connection of the read pool busy with a slow read and more reads queued, when a command is decided, then its accept and log write complete while the reads still wait', async () => {
    const config = nodeConfigFromEnv({ JWT_SECRET: randomJwtSecret(),
      NODE_ID: 'n1',
      CLUSTER_NODES: 'n1',
      CLUSTER_NAME: `rp${id}`,
      API_SUBJECT_PREFIX: `rp${id}`,
      MYSQL_DATABASE: database,
      MYSQL_READ_POOL_SIZE: '2',
      // Long enough that the slow reads below are never cut off during the test: they end when killed.
      MYSQL_READ_TIMEOUT_MS: '600000',
      TICK_MS: '5',
    });
    node = await ConsensusNode.start(config, () => undefined);
    const deadline = Date.now() + 15_000;
    while (node.driver.status().role !== 'leader' && Date.now() < deadline) await sleep(20);

    const settled: string[] = [];
    const reads = [
      ...Array.from({ length: 4 }, (_, i) => sql`SELECT SLEEP(300)`.execute(node!.readDb).then(() => settled.push(`sleep ${i}`), () => settled.push(`sleep ${i} failed`))),
      new StudentsRepository(readModelDb(node.readDb)).listStudents().then(() => settled.push('list'), () => settled.push('list failed')),
    ];
    // Both read connections are asleep on the server; the other reads wait in the pool's queue.
    for (let i = 0; i < 200 && (await sleepers(database)).length < 2; i++) await sleep(50);
    expect(await sleepers(database)).toHaveLength(2);

    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      node.commands.execute({ name: 'students.register', data: { studentId: 's-1', name: 'Ada', className: '7a' } }, admin),
      new Promise<'no answer within 60 s'>((r) => (timer = setTimeout(() => r('no answer within 60 s'), 60_000))),
    ]);
    clearTimeout(timer);
    expect(answer).toMatchObject({ result: { studentId: 's-1' }, position: expect.any(Number) });
    // The answer comes once the entry is chosen and planned; its log write follows on the same pool.
    const logged = async () => Number((await adminQuery<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${database}\`.event_log`))[0].n);
    for (let i = 0; i < 300 && (await logged()) === 0; i++) await sleep(100);
    expect(await logged()).toBeGreaterThanOrEqual(1);
    expect(settled).toEqual([]);

    for (let i = 0; i < 40 && settled.length < reads.length; i++) {
      for (const thread of await sleepers(database)) await adminQuery(`KILL QUERY ${thread}`).catch(() => undefined);
      await sleep(100);
    }
    await Promise.all(reads);
    expect(settled).toContain('list');
  });

  it('given a read pool with a 300 ms limit, when a read waits longer (a table locked by another session), then MySQL cuts it off and the API answers 503 with Retry-After', async () => {
    await createDatabase(MYSQL_URL, database);
    const reads = createKysely(MYSQL_URL, database, 2, { statementTimeoutMs: 300 });
    const holder = await createConnection({ ...parseMysqlUrl(MYSQL_URL), database });
    try {
      await migrateToLatest(reads);
      await holder.query('LOCK TABLES students WRITE');
      const students = new StudentsRepository(readModelDb(reads));
      await expect(students.listStudents()).rejects.toMatchObject({ errno: 1969 });

      const api = await startTestApi(undefined, { students });
      try {
        const res = await request(api.server).get('/api/students').set(ACTOR_HEADER, ACTORS.admin);
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.body.message).toMatch(/took longer than this node allows/);
      } finally {
        await api.app.close();
      }
      // The pool is fine afterwards: the same read answers once nothing holds the table.
      await holder.query('UNLOCK TABLES');
      expect(await students.listStudents()).toMatchObject({ page: 1 });
    } finally {
      await holder.end();
      await reads.destroy();
    }
  });
});
