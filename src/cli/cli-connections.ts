import { type Kysely, sql } from 'kysely';
import { connect, type NatsConnection } from 'nats';
import { type BulkLoader, openBulkLoader } from '../infra/mysql/bulk-loader';
import { type Database, createKysely } from '../infra/mysql/database';
import { redactMysqlUrl } from '../infra/mysql/mysql-url';
import { inboxPrefixFor } from '../infra/nats/connection';
import { CliFailure } from './cli-errors';
import { type CliConfig, envSuffix } from './cli-config';

/**
 * Opens node `nodeId`'s database and checks it is there, or fails saying which server and
 * database, and what to check.
 *
 * @throws CliFailure when MySQL cannot be reached or the node's database does not exist.
 */
export async function openNodeDatabase(config: CliConfig, nodeId: string, poolSize = 4): Promise<Kysely<Database>> {
  const target = config.mysqlFor(nodeId);
  const where = `MySQL at ${redactMysqlUrl(target.url)}`;
  const check = `check that the server runs and MYSQL_URL (or MYSQL_URL_${envSuffix(nodeId)})`;
  let db: Kysely<Database>;
  try {
    db = createKysely(target.url, 'mysql', poolSize);
  } catch (error) {
    throw new CliFailure(`bad MySQL URL for node ${nodeId}: ${message(error)}`);
  }
  try {
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${target.database}`.execute(db);
    if (Number(rows[0].n) === 0) {
      throw new CliFailure(`database ${target.database} of node ${nodeId} does not exist on ${where}: has the node started once? (MYSQL_DATABASE_${envSuffix(nodeId)} names another database)`);
    }
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(`cannot reach ${where} for node ${nodeId}: ${message(error)}; ${check}`);
  } finally {
    await db.destroy();
  }
  return createKysely(target.url, target.database, poolSize);
}

/** A LOAD DATA loader on node `nodeId`'s database, or null when its server does not allow LOCAL INFILE. */
export async function openNodeBulkLoader(config: CliConfig, nodeId: string): Promise<BulkLoader | null> {
  const target = config.mysqlFor(nodeId);
  try {
    return await openBulkLoader(target.url, target.database);
  } catch (error) {
    throw new CliFailure(`cannot open a bulk-load connection to MySQL at ${redactMysqlUrl(target.url)} for node ${nodeId}: ${message(error)}`);
  }
}

/**
 * Connects to NATS (one attempt, 3 s), or fails naming the URL and what to check.
 *
 * @throws CliFailure when no server answers or the credentials are refused.
 */
export async function connectNats(config: CliConfig): Promise<NatsConnection> {
  try {
    return await connect({
      servers: config.natsUrl.split(','),
      user: config.natsUser,
      pass: config.natsPassword,
      inboxPrefix: inboxPrefixFor(config.natsUser ?? 'cli'),
      timeout: 3000,
      reconnect: false,
      name: 'behavior-cli',
    });
  } catch (error) {
    throw new CliFailure(`cannot reach NATS at ${config.natsUrl}: ${message(error)}; check that nats-server runs, NATS_URL, and NATS_USER/NATS_PASSWORD when it requires them`);
  }
}

function message(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(message).join('; ') || 'connection failed';
  if (error instanceof Error) return (error as { code?: string }).code ? `${(error as { code?: string }).code}: ${error.message}` : error.message;
  return String(error);
}
