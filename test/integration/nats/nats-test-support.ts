import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import type { Message } from '../../../src/consensus/messages';
import { connectNats, inboxPrefixFor, type NatsLog } from '../../../src/infra/nats/connection';
import { NatsProtocolTransport, type ProtocolTransportOptions } from '../../../src/infra/nats/protocol-transport';

/** The shared NATS of the test environment. */
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A cluster name no other test uses, so parallel runs never see each other's messages. */
export function uniqueCluster(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/** A log that keeps its lines, for assertions on connection events. */
export function memoryLog(): { log: NatsLog; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message) => void lines.push(`${level} ${message}`) };
}

/** Polls `condition` every `everyMs` until it holds; fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One node's end: its own connection, its transport, and what it received. */
export interface TestNode {
  readonly nc: NatsConnection;
  readonly transport: NatsProtocolTransport;
  readonly received: Message[];
}

/** Where a test node connects, and what it does with a message besides keeping it. */
export interface TestNodeOptions {
  readonly url?: string;
  readonly log?: NatsLog;
  readonly onMessage?: (msg: Message, node: TestNode) => void;
}

/** Connects a node with its own connection and starts its transport. */
export async function startNode(options: ProtocolTransportOptions, test: TestNodeOptions = {}): Promise<TestNode> {
  const log = test.log ?? (() => undefined);
  const nc = await connectNats({ url: test.url ?? NATS_URL, name: `test-${options.cluster}-${options.self}`, inboxPrefix: inboxPrefixFor(options.self), log });
  const transport = new NatsProtocolTransport(nc, options);
  const received: Message[] = [];
  const node: TestNode = { nc, transport, received };
  transport.start((msg) => {
    received.push(msg);
    test.onMessage?.(msg, node);
  });
  await nc.flush(); // the subscription is registered on the server before anyone sends
  return node;
}

/** Closes every node's transport and connection. */
export async function stopNodes(nodes: readonly (TestNode | undefined)[]): Promise<void> {
  for (const node of nodes) {
    if (!node) continue;
    node.transport.close();
    if (!node.nc.isClosed()) await node.nc.close();
  }
}
