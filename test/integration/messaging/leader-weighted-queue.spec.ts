import { type NatsConnection, connect } from 'nats';
import { LeaderWeightedQueue } from '../../../src/messaging/leader-weighted-queue';
import type { PublicShare } from '../../../src/messaging/public-share';
import { NATS_URL, uniqueCluster } from '../nats/nats-test-support';

/**
 * Three "nodes" on the real NATS, each answering with its name; `leader` says which one leads,
 * `outside` which are not members of the configuration (share `none`).
 */
describe('LeaderWeightedQueue (real NATS)', () => {
  const names = ['n1', 'n2', 'n3'] as const;
  let connections: NatsConnection[];
  let client: NatsConnection;
  let queues: LeaderWeightedQueue[];
  let subject: string;
  let leader: string | null;
  let outside: Set<string>;

  const shareOf = (name: string): PublicShare => (outside.has(name) ? 'none' : leader === name ? 'leader' : 'member');

  beforeEach(async () => {
    subject = `${uniqueCluster()}.cmd.log.append`;
    leader = 'n1';
    outside = new Set();
    connections = await Promise.all(names.map((name) => connect({ servers: NATS_URL, name })));
    client = await connect({ servers: NATS_URL });
    queues = names.map((name, i) => {
      const queue = new LeaderWeightedQueue(connections[i], () => shareOf(name));
      queue.subscribe(subject, `${subject}-nodes`, (_err, msg) => msg.respond(Buffer.from(name)));
      queue.checkRole();
      return queue;
    });
    await Promise.all(connections.map((nc) => nc.flush()));
  });

  afterEach(async () => {
    for (const queue of queues) queue.close();
    await Promise.all([...connections, client].map((nc) => nc.close()));
  });

  /** Sends `count` requests (64 at a time) and counts who answered each. */
  async function answeredBy(count: number): Promise<Record<string, number>> {
    const tally: Record<string, number> = { n1: 0, n2: 0, n3: 0 };
    for (let sent = 0; sent < count; sent += 64) {
      const replies = await Promise.all(Array.from({ length: Math.min(64, count - sent) }, () => client.request(subject, Buffer.from('{}'), { timeout: 5000 })));
      for (const reply of replies) tally[Buffer.from(reply.data).toString()] += 1;
    }
    return tally;
  }

  it('given n1 leads, then it holds 8 subscriptions to 1 each for the followers and answers most requests, while every node still answers some', async () => {
    expect(queues.map((q) => q.subscriptionsOf(subject))).toEqual([8, 1, 1]);
    const tally = await answeredBy(1000);
    // Expected 800 / 100 / 100; the bounds are more than 8 standard deviations away.
    expect(tally.n1).toBeGreaterThan(680);
    expect(tally.n2).toBeGreaterThan(20);
    expect(tally.n3).toBeGreaterThan(20);
  });

  it('given leadership moves from n1 to n3 while requests flow, then none is lost and n3 takes the larger share', async () => {
    const during = answeredBy(1000);
    leader = 'n3';
    for (const queue of queues) queue.checkRole();
    const tallyDuring = await during;
    expect(tallyDuring.n1 + tallyDuring.n2 + tallyDuring.n3).toBe(1000);
    expect(queues.map((q) => q.subscriptionsOf(subject))).toEqual([1, 1, 8]);
    const after = await answeredBy(1000);
    expect(after.n3).toBeGreaterThan(680);
    expect(after.n1).toBeLessThan(250);
  });

  it('given no node leads, then every node holds one subscription and still answers', async () => {
    leader = null;
    for (const queue of queues) queue.checkRole();
    expect(queues.map((q) => q.subscriptionsOf(subject))).toEqual([1, 1, 1]);
    const tally = await answeredBy(600);
    for (const name of names) expect(tally[name]).toBeGreaterThan(100);
  });

  it('given n3 is not a member, then it holds no subscription and answers none; once it is one, it answers its share again', async () => {
    outside.add('n3');
    for (const queue of queues) queue.checkRole();
    // The server routes to n3 until it has read its unsubscribe: a flush's round trip comes after it.
    await Promise.all(connections.map((nc) => nc.flush()));
    expect(queues.map((q) => q.subscriptionsOf(subject))).toEqual([8, 1, 0]);
    const tally = await answeredBy(600);
    expect(tally.n3).toBe(0);
    expect(tally.n1 + tally.n2).toBe(600);

    outside.delete('n3');
    for (const queue of queues) queue.checkRole();
    await connections[2].flush();
    expect(queues.map((q) => q.subscriptionsOf(subject))).toEqual([8, 1, 1]);
    expect((await answeredBy(1000)).n3).toBeGreaterThan(20);
  });

  it('given the leader leaves the configuration while requests flow, then none is lost and it answers none after', async () => {
    const during = answeredBy(1000);
    outside.add('n1');
    leader = 'n2';
    for (const queue of queues) queue.checkRole();
    const tallyDuring = await during;
    expect(tallyDuring.n1 + tallyDuring.n2 + tallyDuring.n3).toBe(1000);
    expect(queues.map((q) => q.subscriptionsOf(subject))).toEqual([0, 8, 1]);
    await connections[0].flush();
    expect((await answeredBy(600)).n1).toBe(0);
  });

  it('given an unweighted subject, then the leader holds one subscription like any member', async () => {
    const reads = `${subject}.reads`;
    for (const [i, queue] of queues.entries()) queue.subscribe(reads, `${subject}-nodes`, (_err, msg) => msg.respond(Buffer.from(names[i])), { weighted: false });
    expect(queues.map((q) => q.subscriptionsOf(reads))).toEqual([1, 1, 1]);
    outside.add('n2');
    for (const queue of queues) queue.checkRole();
    expect(queues.map((q) => q.subscriptionsOf(reads))).toEqual([1, 0, 1]);
  });

  it('given every queue closed, then a request finds no responder', async () => {
    for (const queue of queues) queue.close();
    await Promise.all(connections.map((nc) => nc.flush()));
    await expect(client.request(subject, Buffer.from('{}'), { timeout: 2000 })).rejects.toThrow(/503|no responders/i);
  });
});
