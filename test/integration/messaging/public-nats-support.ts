import { randomBytes } from 'node:crypto';
import { type MsgHdrs, type NatsConnection, headers as natsHeaders } from 'nats';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import {
  EventFeedPublisher,
  PublicCommandsHandler,
  PublicQueriesHandler,
  PublicRequestGate,
  type PublicReply,
} from '../../../src/messaging/public';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { dropDatabase } from '../mysql/test-database';
import { randomJwtSecret } from '../../support/jwt-secret';

export const ADMIN = { username: 'headmaster', password: 'bootstrap-secret' };

/** A single-member node (it leads alone) with the public NATS handlers registered. */
export interface PublicNode {
  readonly node: ConsensusNode;
  readonly prefix: string;
  readonly feed: EventFeedPublisher;
  /** Sends a request (an object is sent as JSON, bytes as they are) and parses the reply. */
  call(subject: string, body: unknown, headers?: Record<string, string>): Promise<PublicReply>;
  login(username: string, password: string): Promise<string>;
  eventCount(): Promise<number>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPublicNode(tag: string): Promise<PublicNode> {
  const id = `${tag}${randomBytes(4).toString('hex')}`;
  const database = `behavior_test_${id}`;
  const config = nodeConfigFromEnv({
    NODE_ID: 'n1',
    CLUSTER_NODES: 'n1',
    CLUSTER_NAME: id,
    API_SUBJECT_PREFIX: id,
    MYSQL_DATABASE: database,
    TICK_MS: '5',
    JWT_SECRET: randomJwtSecret(),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
  });
  const node = await ConsensusNode.start(config, () => undefined);
  const deadline = Date.now() + 15_000;
  while (node.driver.status().role !== 'leader' && Date.now() < deadline) await sleep(20);
  const gate = new PublicRequestGate(node);
  const commands = new PublicCommandsHandler(node, gate);
  const queries = new PublicQueriesHandler(node, gate);
  const feed = new EventFeedPublisher(node);
  commands.start();
  queries.start();
  feed.start();
  await node.nats.flush();

  const login = async (username: string, password: string): Promise<string> => {
    for (;;) {
      try {
        return (await node.auth.service.login(username, password)).accessToken;
      } catch (error) {
        if (Date.now() > deadline + 10_000) throw error;
        await sleep(25);
      }
    }
  };
  return {
    node,
    prefix: id,
    feed,
    login,
    call: (subject, body, headers = {}) => requestPublic(node.nats, `${id}.${subject}`, body, headers),
    eventCount: async () => {
      const row = await node.db
        .selectFrom('event_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    stop: async () => {
      commands.stop();
      queries.stop();
      feed.stop();
      await node.stop();
      await dropDatabase(database);
    },
  };
}

/**
 * One request on a public subject (the full subject, prefix included): an object is sent as JSON,
 * a string or bytes as they are; the reply is parsed as the API envelope.
 */
export async function requestPublic(
  nats: NatsConnection,
  subject: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<PublicReply> {
  const h: MsgHdrs = natsHeaders();
  for (const [name, value] of Object.entries(headers)) h.set(name, value);
  const data =
    body instanceof Uint8Array ? body : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  const msg = await nats.request(subject, data, { timeout: timeoutMs, headers: h });
  return JSON.parse(Buffer.from(msg.data).toString('utf8')) as PublicReply;
}

/** The data of an ok reply (fails the test otherwise). */
export function okData(reply: PublicReply): Record<string, unknown> {
  if (!reply.ok) throw new Error(`expected ok, got ${JSON.stringify(reply.error)}`);
  return reply.data as Record<string, unknown>;
}

/** The status of an error reply (fails the test otherwise). */
export function errorStatus(reply: PublicReply): number {
  if (reply.ok) throw new Error(`expected an error, got ${JSON.stringify(reply.data)}`);
  return reply.error.statusCode;
}
