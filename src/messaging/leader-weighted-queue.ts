import type { Msg, NatsConnection, NatsError, Subscription } from 'nats';
import { assert } from '../shared/assert';
import type { PublicShare } from './public-share';

/**
 * Queue subscriptions the leader holds per public subject. NATS hands each request to one member
 * of the queue group, picked at random, so with 3 nodes the leader takes about 8 in 10 requests
 * and followers hand on (forward) the other 2 instead of 2 in 3.
 */
const LEADER_QUEUE_WEIGHT_DEFAULT = 8;
/** A safety-net look at the share; `checkRole` (called on each role change) moves it sooner. */
const ROLE_CHECK_MS = 1000;

type Callback = (error: NatsError | null, msg: Msg) => void;

/** How one subject is subscribed. */
export interface QueueSubscribeOptions {
  /** True (the default): the leader holds `weight` subscriptions; false: one, like any member (reads any node serves alike). */
  readonly weighted?: boolean;
}

interface Entry {
  readonly subject: string;
  readonly queue: string;
  readonly callback: Callback;
  readonly weighted: boolean;
  readonly subs: Subscription[];
}

/**
 * Public request subjects served by the members of the cluster in one queue group, weighted
 * towards the leader: a member holds one subscription per subject, and the leader holds `weight`
 * in all, so most requests reach the node that decides them without the forwarding hop. Every
 * member answers, so a request is never left without a responder while leadership moves. A node
 * whose share is `none` (not a member of the newest configuration, or a learner still catching
 * up: see `publicShareOf`) holds no subscription, so no client request reaches it; it subscribes
 * again once its share changes. Subscriptions given up are drained: requests already delivered
 * to them are still served (and forwarded to the leader).
 *
 * One per node (`ConsensusNode.publicQueue`), shared by every handler of public subjects.
 *
 * @example
 * const queue = new LeaderWeightedQueue(nc, () => publicShareOf(node.driver.status(), limits));
 * const sub = queue.subscribe('behavior.cmd.log.append', 'behavior-nodes', (err, msg) => route(msg));
 * sub.close(); // when the handler stops
 */
export class LeaderWeightedQueue {
  private readonly entries: Entry[] = [];
  private readonly timer: NodeJS.Timeout;
  private current: PublicShare;
  private closed = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly share: () => PublicShare,
    private readonly weight: number = LEADER_QUEUE_WEIGHT_DEFAULT,
  ) {
    assert(Number.isInteger(weight) && weight >= 1 && weight <= 64, `weight must be an integer in 1..64, got ${weight}`);
    this.current = share();
    this.timer = setInterval(() => this.checkRole(), ROLE_CHECK_MS);
    this.timer.unref();
  }

  /** This node's share as last looked at. */
  get currentShare(): PublicShare {
    return this.current;
  }

  /**
   * Subscribes `subject` in `queue` with as many subscriptions as the node's share asks (none while
   * it is not a serving member); `close` on the result unsubscribes it.
   */
  subscribe(subject: string, queue: string, callback: Callback, options: QueueSubscribeOptions = {}): { close(): void } {
    assert(!this.closed, 'LeaderWeightedQueue is closed');
    const entry: Entry = { subject, queue, callback, weighted: options.weighted ?? true, subs: [] };
    this.entries.push(entry);
    this.fit(entry);
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
    return this.entries.filter((e) => e.subject === subject).reduce((n, e) => n + e.subs.length, 0);
  }

  /** Unsubscribes everything. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const entry of this.entries.splice(0)) unsubscribeAll(entry);
  }

  /**
   * Follows the share: takes the extra subscriptions on becoming leader and drains them on losing
   * leadership; drains every one on leaving the cluster (or falling behind as a learner), and
   * subscribes again on joining.
   */
  checkRole(): void {
    if (this.closed || this.nats.isClosed()) return;
    const share = this.share();
    if (share === this.current) return;
    this.current = share;
    for (const entry of this.entries) this.fit(entry);
  }

  /** Subscribes or drains until the entry holds what the current share asks. */
  private fit(entry: Entry): void {
    const wanted = this.current === 'none' ? 0 : this.current === 'leader' && entry.weighted ? this.weight : 1;
    while (entry.subs.length < wanted) entry.subs.push(this.nats.subscribe(entry.subject, { queue: entry.queue, callback: entry.callback }));
    for (const sub of entry.subs.splice(wanted)) void sub.drain().catch(() => undefined);
  }
}

function unsubscribeAll(entry: Entry): void {
  for (const sub of entry.subs.splice(0)) if (!sub.isClosed()) sub.unsubscribe();
}
