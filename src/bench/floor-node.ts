import { type Connection, createConnection } from 'mysql2/promise';
import { connect } from 'nats';
import { benchServersOf } from '../config/tool-env';
import { inboxPrefixFor } from '../infra/nats/connection';
import { parseMysqlUrl } from '../infra/mysql/mysql-url';

/**
 * One process of the bare round (see floor.ts): `node floor-node.js <leader|follower> <id>
 * <subject prefix> <database>`, with MYSQL_URL and NATS_URL in the environment. A follower stores
 * each Phase2a durably (one autocommit INSERT) and answers; the leader sends Phase2a to both
 * followers, stores its own accept, and answers the client at two votes. Nothing else: no chosen
 * log, no events, no idempotency, no projections. Tells its parent 'ready' once subscribed.
 */
async function main([role, id, prefix, database]: string[]): Promise<void> {
  const { mysqlUrl, natsUrl } = benchServersOf(process.env);
  const mysql = await createConnection({ ...parseMysqlUrl(mysqlUrl), database: undefined });
  await mysql.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
  await mysql.query(`USE \`${database}\``);
  await mysql.query('CREATE TABLE IF NOT EXISTS accepts (slot BIGINT PRIMARY KEY, value TEXT NOT NULL) ENGINE=InnoDB');
  const nats = await connect({ servers: natsUrl.split(','), inboxPrefix: inboxPrefixFor('floor') });
  const accept = (slot: number, value: string) => storeAccept(mysql, slot, value);
  if (role === 'follower') {
    nats.subscribe(`${prefix}.p2a.${id}`, {
      callback: (_err, msg) => {
        const { slot, value } = JSON.parse(Buffer.from(msg.data).toString()) as { slot: number; value: string };
        void accept(slot, value).then(() => nats.publish(`${prefix}.p2b`, Buffer.from(JSON.stringify({ slot }))));
      },
    });
  } else {
    let next = 0;
    const votes = new Map<number, { count: number; answer: () => void }>();
    const vote = (slot: number) => {
      const entry = votes.get(slot);
      if (entry === undefined || ++entry.count < 2) return;
      votes.delete(slot);
      entry.answer();
    };
    nats.subscribe(`${prefix}.p2b`, { callback: (_err, msg) => vote((JSON.parse(Buffer.from(msg.data).toString()) as { slot: number }).slot) });
    nats.subscribe(`${prefix}.append`, {
      callback: (_err, msg) => {
        const slot = ++next;
        const value = Buffer.from(msg.data).toString();
        votes.set(slot, { count: 0, answer: () => msg.respond(Buffer.from(JSON.stringify({ ok: true, slot }))) });
        for (const follower of ['f1', 'f2']) nats.publish(`${prefix}.p2a.${follower}`, Buffer.from(JSON.stringify({ slot, value })));
        void accept(slot, value).then(() => vote(slot));
      },
    });
  }
  await nats.flush();
  process.send?.('ready');
  process.on('disconnect', () => void Promise.allSettled([nats.close(), mysql.end()]).then(() => process.exit(0)));
}

function storeAccept(mysql: Connection, slot: number, value: string): Promise<unknown> {
  return mysql.execute('INSERT INTO accepts (slot, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)', [slot, value]);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`floor node failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
