import { randomBytes } from 'node:crypto';
import { type Msg, type MsgHdrs, type Subscription, headers as natsHeaders } from 'nats';
import { type ConsensusNode, nodeInboxPrefix } from '../node/consensus-node';

/** Header counting how often a request was handed on, so a stale view cannot bounce it forever. */
export const FORWARD_HOPS_HEADER = 'Behavior-Forward-Hops';
/** The most hops a request may have made: a larger or malformed count is refused, never forwarded. */
export const FORWARD_HOPS_MAX = 2;
/** How long a forwarded request may wait for the leader before this node proposes it itself. */
export const FORWARD_TIMEOUT_MS = 1000;
/** Forwarded requests waiting for the leader at once, at most; past it they run here. */
const FORWARDS_WAITING_MAX = 50_000;
const NO_RESPONDERS = 503;

/**
 * The hop count in `headers`: 0 when absent, null (refuse the message) unless it is one value of
 * digits from 0 to FORWARD_HOPS_MAX.
 *
 * @example forwardHopsOf(undefined) // 0
 * @example forwardHopsOf(headersWith('Behavior-Forward-Hops', '-5')) // null
 */
export function forwardHopsOf(headers: MsgHdrs | undefined): number | null {
  if (headers === undefined || !headers.has(FORWARD_HOPS_HEADER)) return 0;
  const values = headers.values(FORWARD_HOPS_HEADER);
  if (values.length !== 1 || !/^[0-9]$/.test(values[0])) return null;
  const hops = Number(values[0]);
  return hops <= FORWARD_HOPS_MAX ? hops : null;
}

/** The subject on which node `nodeId` takes commands handed on by its peers (nodes only). */
export function internalCommandSubject(prefix: string, cluster: string, nodeId: string, command: string): string {
  return `${prefix}.internal.${cluster}.${nodeId}.${command}`;
}

interface Waiting {
  readonly client: Msg;
  readonly sentAt: number;
  readonly fallback: () => void;
}

/**
 * Hands clients' NATS requests to the leader, which decides them (ARCHITECTURE.md, write path
 * step 2), and relays the leader's answers. Each request carries its command id, so when the
 * leader does not answer (gone: NATS answers "no responders" at once; hung: after
 * FORWARD_TIMEOUT_MS) this node proposes the same command itself without risk of applying it
 * twice. One reply subscription and one timer serve every forwarded request.
 */
export class LeaderForwarder {
  private readonly inbox: string;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private readonly subscription: Subscription;
  /** Runs only while requests wait for the leader: an idle node sets no timer. */
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly node: ConsensusNode) {
    // Below the node's private inbox prefix, with a token no one can guess.
    this.inbox = `${nodeInboxPrefix(node.config)}.fwd.${randomBytes(16).toString('hex')}`;
    this.subscription = node.nats.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.onAnswer(msg) });
  }

  /**
   * Forwards `client` to the leader when there is one to forward to.
   * @returns 'forwarded' when the leader (or, should it fail, `fallback`) will answer the client;
   * 'here' when this node should run the command itself (it leads, no leader was heard lately,
   * or the request was handed on too often).
   */
  forward(client: Msg, command: string, commandId: string, fallback: () => void): 'forwarded' | 'here' {
    const { leaderId, role } = this.node.driver.status();
    const hops = forwardHopsOf(client.headers) ?? FORWARD_HOPS_MAX;
    if (role === 'leader' || leaderId === null || leaderId === this.node.config.nodeId || hops >= FORWARD_HOPS_MAX) return 'here';
    if (!this.node.hasQuorum() || this.waiting.size >= FORWARDS_WAITING_MAX) return 'here';
    const headers = copyHeaders(client.headers);
    headers.set(FORWARD_HOPS_HEADER, String(hops + 1));
    headers.set('Idempotency-Key', commandId);
    const id = this.nextId++;
    this.waiting.set(id, { client, sentAt: Date.now(), fallback });
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), FORWARD_TIMEOUT_MS / 4);
      this.timer.unref();
    }
    const { apiPrefix, clusterName } = this.node.config;
    this.node.nats.publish(internalCommandSubject(apiPrefix, clusterName, leaderId, command), client.data, { reply: `${this.inbox}.${id}`, headers });
    return 'forwarded';
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.subscription.unsubscribe();
  }

  private onAnswer(answer: Msg): void {
    const id = Number(answer.subject.slice(this.inbox.length + 1));
    const entry = this.waiting.get(id);
    if (!entry) return;
    this.waiting.delete(id);
    if (answer.headers?.code === NO_RESPONDERS) return entry.fallback();
    if (entry.client.reply) entry.client.respond(answer.data, { headers: answer.headers });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.waiting) {
      if (now - entry.sentAt < FORWARD_TIMEOUT_MS) continue;
      this.waiting.delete(id);
      entry.fallback();
    }
    if (this.waiting.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

function copyHeaders(source: MsgHdrs | undefined): MsgHdrs {
  const copy = natsHeaders();
  if (!source) return copy;
  for (const key of source.keys()) for (const value of source.values(key)) copy.append(key, value);
  return copy;
}
