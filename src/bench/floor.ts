import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { connect } from 'nats';
import { inboxPrefixFor } from '../infra/nats/connection';
import { parseMysqlUrl } from '../infra/mysql/mysql-url';
import { cpuSeconds, pidsOf } from './cpu';
import { dropDatabases } from './our-cluster';
import { type LoadResult, runLoad } from './load';

const READY_TIMEOUT_MS = 20_000;

/**
 * The floor of one write on this machine: a bare Paxos round with nothing else. A client sends a
 * request over NATS to a leader process, which sends Phase2a to two follower processes; each of the
 * three stores the accept with one durable autocommit INSERT (its own database, the same MariaDB),
 * and the leader answers at two votes. 4 NATS hops and a durable commit on the critical path, as in
 * our write path, without the chosen log, events, idempotency records and projections.
 */
export async function benchBareRound(mysqlUrl: string, natsUrl: string, payload: Uint8Array, total: number): Promise<LoadResult> {
  const prefix = `floor${randomBytes(3).toString('hex')}`;
  const members = [
    { role: 'leader', id: 'l' },
    { role: 'follower', id: 'f1' },
    { role: 'follower', id: 'f2' },
  ];
  const databases = members.map((m) => `behavior_bench_floor_${m.id}`);
  await dropDatabases(mysqlUrl, databases);
  const children: ChildProcess[] = members.map((m, i) =>
    fork(floorNodeScript(), [m.role, m.id, prefix, databases[i]], { env: { ...process.env, MYSQL_URL: mysqlUrl, NATS_URL: natsUrl }, stdio: 'inherit' }),
  );
  const nats = await connect({ servers: natsUrl.split(','), inboxPrefix: inboxPrefixFor('bench') });
  try {
    await Promise.all(children.map((child) => readyOf(child)));
    return await runLoad({
      inFlight: 1,
      total,
      warmup: Math.min(200, total / 10),
      send: async () => void (await nats.request(`${prefix}.append`, payload, { timeout: 5000 })),
    });
  } finally {
    await nats.close();
    for (const child of children) if (child.connected) child.disconnect();
    for (const child of children) child.kill();
    await dropDatabases(mysqlUrl, databases);
  }
}

/** What the floor of MariaDB's own work per write was measured at. */
export interface MariadbFloor {
  readonly ops: number;
  readonly opsPerSec: number;
  /** CPU seconds mariadbd used per write, in microseconds. */
  readonly mariadbMicrosPerOp: number;
}

/**
 * The least MariaDB must do per write for three nodes: each stores the accept of a slot of
 * `perSlot` writes (one row) and the slot's `perSlot` log rows, one durable transaction each, three
 * connections side by side. Measures the mariadbd CPU per write.
 */
export async function benchMariadbFloor(mysqlUrl: string, payloadBytes: number, slots: number, perSlot = 50): Promise<MariadbFloor> {
  const databases = [1, 2, 3].map((n) => `behavior_bench_floor_db${n}`);
  await dropDatabases(mysqlUrl, databases);
  const connections = await Promise.all(databases.map(() => createConnection({ ...parseMysqlUrl(mysqlUrl), database: undefined })));
  try {
    for (const [i, c] of connections.entries()) {
      await c.query(`CREATE DATABASE \`${databases[i]}\``);
      await c.query(`USE \`${databases[i]}\``);
      await c.query('CREATE TABLE accepts (slot BIGINT PRIMARY KEY, value MEDIUMTEXT NOT NULL) ENGINE=InnoDB');
      await c.query('CREATE TABLE log (position BIGINT PRIMARY KEY, slot BIGINT NOT NULL, command_id VARCHAR(128) NOT NULL, data TEXT NOT NULL) ENGINE=InnoDB');
    }
    const data = 'x'.repeat(payloadBytes);
    const slotValue = JSON.stringify(Array.from({ length: perSlot }, (_, i) => ({ id: `command-${i}-0123456789abcdef0123456789`, payload: data })));
    const mariadb = pidsOf('mariadbd|mysqld');
    const cpu = () => mariadb.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const cpuBefore = cpu();
    const started = performance.now();
    await Promise.all(
      connections.map(async (c) => {
        let position = 1;
        for (let slot = 1; slot <= slots; slot++) {
          await c.query('INSERT INTO accepts VALUES (?, ?)', [slot, slotValue]);
          const rows = Array.from({ length: perSlot }, (_, i) => [position++, slot, `command-${slot}-${i}`, data]);
          await c.query('INSERT INTO log VALUES ?', [rows]);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const ops = slots * perSlot;
    return { ops, opsPerSec: ops / seconds, mariadbMicrosPerOp: ((cpu() - cpuBefore) * 1e6) / ops };
  } finally {
    for (const c of connections) await c.end();
    await dropDatabases(mysqlUrl, databases);
  }
}

/** The compiled floor process: next to this file in dist/, or dist/ itself when this runs from source (tests). */
function floorNodeScript(): string {
  const beside = join(__dirname, 'floor-node.js');
  return existsSync(beside) ? beside : join(__dirname, '..', '..', 'dist', 'bench', 'floor-node.js');
}

function readyOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a floor process did not start in time')), READY_TIMEOUT_MS);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a floor process exited with ${code}`));
    });
  });
}
