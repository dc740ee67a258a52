import type { Msg, NatsConnection, NatsError, Subscription } from 'nats';
import { assert } from '../shared/assert';

/**
 * Queue subscriptions the leader holds per public subject. NATS hands each request to one member
 * of the queue group, picked at random, so with 3 nodes the leader takes about 8 in 10 requests
 * and followers hand on (forward) the other 2 instead of 2 in 3.
 */
const LEADER_QUEUE_WEIGHT_DEFAULT = 8;
/** A safety-net look at the role; `roleChanges` (when given) reports each change sooner. */
const ROLE_CHECK_MS = 1000;

type Callback = (error: NatsError | null, msg: Msg) => void;

interface Entry {
  readonly subject: string;
  readonly queue: string;
  readonly callback: Callback;
  readonly base: Subscription;
  extra: Subscription[];
}

/**
 * Public request subjects served by every node in one queue group, weighted towards the leader:
 * every node holds one subscription per subject, and the leader holds `weight` in all, so most
 * requests reach the node that decides them without the forwarding hop. Any node still answers,
 * so a request is never left without a responder while leadership moves. A node that stops
 * leading drains its extra subscriptions: requests already delivered to them are still served
 * (and forwarded to the new leader).
 *
 * One per node (`ConsensusNode.publicQueue`), shared by every handler of public subjects.
 *
 * @example
 * const queue = new LeaderWeightedQueue(nc, () => node.driver.status().role === 'leader');
 * const sub = queue.subscribe('behavior.cmd.log.append', 'behavior-nodes', (err, msg) => route(msg));
 * sub.close(); // when the handler stops
 */
export class LeaderWeightedQueue {
  private readonly entries: Entry[] = [];
  private readonly timer: NodeJS.Timeout;
  private leading = false;
  private closed = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly isLeader: () => boolean,
    private readonly weight: number = LEADER_QUEUE_WEIGHT_DEFAULT,
  ) {
    assert(Number.isInteger(weight) && weight >= 1 && weight <= 64, `weight must be an integer in 1..64, got ${weight}`);
    this.timer = setInterval(() => this.checkRole(), ROLE_CHECK_MS);
    this.timer.unref();
  }

  /** Subscribes `subject` in `queue` (weighted at once if this node leads); `close` on the result unsubscribes it. */
  subscribe(subject: string, queue: string, callback: Callback): { close(): void } {
    assert(!this.closed, 'LeaderWeightedQueue is closed');
    const entry: Entry = { subject, queue, callback, base: this.nats.subscribe(subject, { queue, callback }), extra: [] };
    this.entries.push(entry);
    if (this.leading) this.addExtra(entry);
    return {
      close: () => {
        const index = this.entries.indexOf(entry);
        if (index >= 0) this.entries.splice(index, 1);
        unsubscribeAll(entry);
      },
    };
  }

  /** Subscriptions held now for `subject` (for tests and status). */
  subscriptionsOf(subject: string): number {
    return this.entries.filter((e) => e.subject === subject).reduce((n, e) => n + 1 + e.extra.length, 0);
  }

  /** Unsubscribes everything. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const entry of this.entries.splice(0)) unsubscribeAll(entry);
  }

  /** Follows the role: takes the extra share on becoming leader, drains it on losing leadership. */
  checkRole(): void {
    if (this.closed || this.nats.isClosed()) return;
    const leading = this.isLeader();
    if (leading === this.leading) return;
    this.leading = leading;
    for (const entry of this.entries) {
      if (leading) this.addExtra(entry);
      else for (const sub of entry.extra.splice(0)) void sub.drain().catch(() => undefined);
    }
  }

  private addExtra(entry: Entry): void {
    while (entry.extra.length < this.weight - 1) {
      entry.extra.push(this.nats.subscribe(entry.subject, { queue: entry.queue, callback: entry.callback }));
    }
  }
}

function unsubscribeAll(entry: Entry): void {
  for (const sub of [entry.base, ...entry.extra.splice(0)]) if (!sub.isClosed()) sub.unsubscribe();
}
