import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ADMIN, type NodeApp, startNodeApp } from './node-app';

interface StatusBody {
  voting: boolean;
  incarnation: string;
  members: { nodeId: string; role: string }[];
  configuration: { version: number; voters: string[]; learners: string[]; changes: { op: string; nodeId: string }[] };
}

/**
 * The admin membership routes over a real single-member node (it leads alone): each change is
 * decided through the log and answered once in force; bad input is a 400 that changes nothing,
 * a change the configuration refuses is a 409.
 */
describe('membership routes (real MySQL and NATS)', () => {
  let n: NodeApp;
  let app: INestApplication;
  let token = '';
  const get = () => request(app.getHttpServer()).get('/api/cluster/status').set('Authorization', `Bearer ${token}`);
  const post = (path: string, body?: unknown) => request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${token}`).send(body as object);
  const del = (path: string) => request(app.getHttpServer()).delete(path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    n = await startNodeApp('mem');
    app = await n.app();
    // The bootstrap admin exists once the node applied it; the token call waits for that.
    await n.token(ADMIN.username, ADMIN.password);
    token = await n.login(app, ADMIN.username, ADMIN.password);
  }, 90_000);

  afterAll(async () => {
    await n?.stop();
  });

  it('shows the configuration decided by the log, this node among its members with its incarnation', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    const body = res.body as StatusBody;
    expect(body.configuration.voters).toEqual(['n1']);
    expect(body.voting).toBe(true);
    expect(body.incarnation).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(body.members[0]).toMatchObject({ nodeId: 'n1', role: 'voter' });
  });

  it('refuses bad input with 400 and a change the configuration refuses with 409, changing nothing', async () => {
    const before = (await get()).body as StatusBody;
    expect((await post('/api/cluster/members', { nodeId: 'bad id' })).status).toBe(400);
    expect((await post('/api/cluster/members', { nodeId: 'n2', extra: 1 })).status).toBe(400);
    expect((await post('/api/cluster/members', { nodeId: 'n2', learner: 'yes' })).status).toBe(400);
    expect((await post('/api/cluster/members/bad%20id/promote')).status).toBe(400);
    const only = await del('/api/cluster/members/n1');
    expect(only.status).toBe(409);
    expect(only.body).toMatchObject({ statusCode: 409, message: expect.stringMatching(/only voter/) });
    expect(((await get()).body as StatusBody).configuration).toEqual(before.configuration);
    expect((await request(app.getHttpServer()).post('/api/cluster/members').send({ nodeId: 'n2' })).status).toBe(401);
  });

  it('adds a learner, refuses to promote one never heard from, and removes it', async () => {
    const added = await post('/api/cluster/members', { nodeId: 'n2', learner: true });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ ok: true, leaderId: 'n1', change: { op: 'add-learner', nodeId: 'n2' } });
    expect(added.body.effectiveSlot).toBeGreaterThan(added.body.slot);
    expect(((await get()).body as StatusBody).configuration.learners).toEqual(['n2']);
    const promote = await post('/api/cluster/members/n2/promote');
    expect(promote.status).toBe(409);
    expect(promote.body.message).toMatch(/not been heard from|not caught up/);
    const removed = await del('/api/cluster/members/n2');
    expect(removed.status).toBe(200);
    const after = (await get()).body as StatusBody;
    expect(after.configuration.learners).toEqual([]);
    expect(after.configuration.changes.map((c) => `${c.op} ${c.nodeId}`)).toEqual(expect.arrayContaining(['add-learner n2', 'remove n2']));
  }, 60_000);
});
