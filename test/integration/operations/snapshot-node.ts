import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { AppModule } from '../../../src/app.module';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { configureHttpApp } from '../../../src/http/common/http-api.module';
import { parseMysqlUrl } from '../../../src/infra/mysql/mysql-url';
import { createLogger } from '../../../src/logger';
import { PinoLoggerService } from '../../../src/logger-service';
import { ConsensusNode, type NodeLog } from '../../../src/node/consensus-node';
import { MYSQL_URL } from '../mysql/test-database';

/** The cluster every node of a test shares: name, subject prefix, signing secret, bootstrap admin. */
export interface TestCluster {
  readonly name: string;
  readonly jwtSecret: string;
  readonly admin: { readonly username: string; readonly password: string };
}

/** A real node (real MySQL and NATS) of `cluster` on `database`, with its HTTP app; `stop()` keeps the database. */
export interface RunningNode {
  readonly node: ConsensusNode;
  readonly app: INestApplication;
  /** Signs in over REST as the cluster's admin (retried, bounded, until the credentials are there). */
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts node `nodeId` of `members` on `database`; `env` adds settings. */
export async function startRunningNode(
  cluster: TestCluster,
  nodeId: string,
  members: readonly string[],
  database: string,
  env: NodeJS.ProcessEnv = {},
  log: NodeLog = () => undefined,
): Promise<RunningNode> {
  const nodeEnv: NodeJS.ProcessEnv = {
    NODE_ID: nodeId,
    CLUSTER_NODES: members.join(','),
    CLUSTER_NAME: cluster.name,
    API_SUBJECT_PREFIX: cluster.name,
    MYSQL_URL,
    MYSQL_DATABASE: database,
    TICK_MS: '5',
    JWT_SECRET: cluster.jwtSecret,
    ADMIN_USERNAME: cluster.admin.username,
    ADMIN_PASSWORD: cluster.admin.password,
    ...env,
  };
  const config = nodeConfigFromEnv(nodeEnv);
  const node = await ConsensusNode.start(config, log);
  const logger = createLogger('fatal', nodeId);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(node, logger, { env: nodeEnv })] }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  app.useLogger(new PinoLoggerService(logger));
  configureHttpApp(app, { trustProxy: false });
  await app.init();
  return {
    node,
    app,
    adminToken: async () => {
      let last = 0;
      for (let attempt = 0; attempt < 200; attempt++) {
        const res = await request(app.getHttpServer()).post('/api/auth/login').send(cluster.admin);
        if (res.status === 200) return (res.body as { accessToken: string }).accessToken;
        last = res.status;
        await sleep(50);
      }
      throw new Error(`the admin could not sign in on ${nodeId} (last answer ${last})`);
    },
    stop: async () => {
      await app.close();
      await node.stop();
    },
  };
}

/** Polls `probe` every 20 ms until it holds, at most `timeoutMs`. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const attempts = Math.ceil(timeoutMs / 20);
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return;
    await sleep(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `query` on `database` (null: no database) and returns its rows, DATETIMEs as text. */
export async function queryRows(database: string | null, query: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const connection = await createConnection({ ...parseMysqlUrl(MYSQL_URL), database: database ?? undefined, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  try {
    const [rows] = await connection.query(query, params);
    return rows as Record<string, unknown>[];
  } finally {
    await connection.end();
  }
}

/** Every base table of `database`. */
export async function tablesOf(database: string): Promise<string[]> {
  // The chosen log's view (migration 0016) among them: a snapshot carries it.
  const rows = await queryRows(null, `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'VIEW') ORDER BY TABLE_NAME`, [database]);
  return rows.map((r) => String(r.t));
}

/** Every row of `table`, in primary-key order, every column. */
export async function allRows(database: string, table: string): Promise<Record<string, unknown>[]> {
  const key = await queryRows(
    null,
    `SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`,
    [database, table],
  );
  // The chosen log's view has no key of its own: its rows go by slot.
  if (key.length === 0 && table === 'paxos_chosen') key.push({ c: 'slot' });
  const order = key.length === 0 ? '' : ` ORDER BY ${key.map((k) => `\`${String(k.c)}\``).join(', ')}`;
  return queryRows(database, `SELECT * FROM \`${table}\`${order}`);
}

/** Whether `database` exists. */
export async function databaseExists(database: string): Promise<boolean> {
  const rows = await queryRows(null, 'SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
  return Number(rows[0].n) === 1;
}
