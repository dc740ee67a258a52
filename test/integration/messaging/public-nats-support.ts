import { type MsgHdrs, type NatsConnection, headers as natsHeaders } from 'nats';
import {
  EventFeedPublisher,
  PublicCommandsHandler,
  PublicQueriesHandler,
  PublicRequestGate,
  type PublicReply,
} from '../../../src/messaging/public';
import type { ConsensusNode } from '../../../src/node/consensus-node';
import { startSingleNode } from '../../support/single-node';

export { ADMIN } from '../../support/single-node';

/** A single-member node (it leads alone) with the public NATS handlers registered. */
export interface PublicNode {
  readonly node: ConsensusNode;
  readonly prefix: string;
  readonly feed: EventFeedPublisher;
  /** Sends a request (an object is sent as JSON, bytes as they are) and parses the reply. */
  call(subject: string, body: unknown, headers?: Record<string, string>): Promise<PublicReply>;
  /** A token straight from the node's auth service, once the user exists there (see SingleNode.token). */
  login(username: string, password: string): Promise<string>;
  eventCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function startPublicNode(tag: string): Promise<PublicNode> {
  const single = await startSingleNode(tag);
  const { node, id } = single;
  const gate = new PublicRequestGate(node);
  const commands = new PublicCommandsHandler(node, gate);
  const queries = new PublicQueriesHandler(node, gate);
  const feed = new EventFeedPublisher(node);
  commands.start();
  queries.start();
  feed.start();
  await node.nats.flush();

  return {
    node,
    prefix: id,
    feed,
    login: single.token,
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
      await single.stop();
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
