import { type NatsConnection, connect } from 'nats';
import { apiErrorOf } from '../../../src/api/api-error';
import { CredentialsBehindError } from '../../../src/auth/auth-errors';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import { PublicCommandsHandler, PublicQueriesHandler, PublicRequestGate, type PublicReply } from '../../../src/messaging/public';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { changeMembership } from '../../../src/node/membership';
import { dropDatabase } from '../mysql/test-database';
import { NATS_URL } from '../nats/nats-test-support';
import { type SingleNode, ADMIN, startSingleNode } from '../../support/single-node';
import { requestPublic } from './public-nats-support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, for at most `ms`. */
async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await sleep(20);
  }
}

/**
 * Who answers the public subjects, on the real NATS: n1 leads a one-voter cluster; n2 is started
 * in the same cluster (same subjects, same token secret) but is not a member of its
 * configuration until added. A client must never be answered by a node that is not a member.
 */
describe('the public queue group holds the members only (real NATS, real nodes)', () => {
  let n1: SingleNode;
  let n2: ConsensusNode;
  let n2Database: string;
  let client: NatsConnection;
  let admin: Record<string, string>;
  const stops: (() => void)[] = [];

  function serve(node: ConsensusNode): void {
    const gate = new PublicRequestGate(node);
    const handlers = [new PublicCommandsHandler(node, gate), new PublicQueriesHandler(node, gate)];
    for (const handler of handlers) handler.start();
    stops.push(() => handlers.forEach((h) => h.stop()));
  }

  /** `count` cluster-status queries: how many each node answered, and the replies that were not ok. */
  async function ask(count: number): Promise<{ byNode: Record<string, number>; failed: PublicReply[] }> {
    const replies = await Promise.all(Array.from({ length: count }, () => requestPublic(client, `${n1.id}.query.cluster.status`, {}, admin)));
    const byNode: Record<string, number> = {};
    const failed: PublicReply[] = [];
    for (const reply of replies) {
      if (!reply.ok) failed.push(reply);
      else {
        const nodeId = (reply.data as { nodeId: string }).nodeId;
        byNode[nodeId] = (byNode[nodeId] ?? 0) + 1;
      }
    }
    return { byNode, failed };
  }

  beforeAll(async () => {
    n1 = await startSingleNode('pm');
    n2Database = `behavior_test_${n1.id}_n2`;
    // A spare node: the founding members are n1 alone.
    n2 = await ConsensusNode.start(nodeConfigFromEnv({ ...n1.env, NODE_ID: 'n2', MYSQL_DATABASE: n2Database }), () => undefined);
    serve(n1.node);
    serve(n2);
    await Promise.all([n1.node.nats.flush(), n2.nats.flush()]);
    client = await connect({ servers: NATS_URL });
    admin = { Authorization: `Bearer ${await n1.token(ADMIN.username, ADMIN.password)}` };
  }, 60_000);

  afterAll(async () => {
    for (const stop of stops) stop();
    await client?.close();
    await n2?.stop();
    await dropDatabase(n2Database);
    await n1?.stop();
  });

  it('a node started but not added holds no public subscription: every request is answered by the member, commands included', async () => {
    expect(n2.publicQueue.currentShare).toBe('none');
    expect(n2.publicQueue.subscriptionsOf(`${n1.id}.query.cluster.status`)).toBe(0);
    expect(n2.publicQueue.subscriptionsOf(`${n1.id}.cmd.students.register`)).toBe(0);
    const { byNode, failed } = await ask(60);
    expect(failed).toEqual([]);
    expect(byNode).toEqual({ n1: 60 });
    const registered = await Promise.all(
      Array.from({ length: 20 }, (_, i) => requestPublic(client, `${n1.id}.cmd.students.register`, { studentId: `pm-${i}`, name: `Student ${i}`, className: '7a' }, admin)),
    );
    expect(registered.filter((r) => !r.ok)).toEqual([]);
  });

  it('the node outside, which has not the admin yet and hears no leader, answers the admin\'s valid token "catching up" (503), not 401', async () => {
    const error = await n2.auth.service.verify(admin.Authorization.slice('Bearer '.length)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsBehindError);
    expect(apiErrorOf(error)).toMatchObject({ body: { statusCode: 503 }, headers: { 'Retry-After': '1' } });
  });

  it('added as a learner, it joins the group once caught up and serves reads and writes; removed, it leaves it again', async () => {
    const added = await changeMembership(n1.node, { op: 'add-learner', nodeId: 'n2' });
    expect(added).toMatchObject({ ok: true });
    await until('n2 caught up and serving', () => n2.publicQueue.currentShare === 'member', 30_000);
    expect(n2.publicQueue.subscriptionsOf(`${n1.id}.query.cluster.status`)).toBe(1);
    // n2 has applied the log: the admin's token verifies there, and it answers its share, correctly.
    await until('n2 holds the admin', () => n2.auth.projector.position >= n1.node.auth.projector.position, 20_000);
    await expect(n2.auth.service.verify(admin.Authorization.slice('Bearer '.length))).resolves.toMatchObject({ username: ADMIN.username, role: 'admin' });
    await n2.nats.flush();
    const { byNode, failed } = await ask(200);
    expect(failed).toEqual([]);
    expect(byNode.n2).toBeGreaterThan(10);
    // A write reaching the learner goes to the leader.
    const writes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => requestPublic(client, `${n1.id}.cmd.scores.modify`, { studentId: `pm-${i}`, delta: 1, reason: 'learner' }, admin)),
    );
    expect(writes.filter((r) => !r.ok)).toEqual([]);

    const removed = await changeMembership(n1.node, { op: 'remove', nodeId: 'n2' });
    expect(removed).toMatchObject({ ok: true });
    await until('n2 out of the group', () => n2.publicQueue.currentShare === 'none', 10_000);
    await n2.nats.flush();
    const after = await ask(60);
    expect(after.failed).toEqual([]);
    expect(after.byNode).toEqual({ n1: 60 });
  }, 90_000);
});
