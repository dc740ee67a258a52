import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ADMIN, type NodeApp, startNodeApp } from './node-app';

/** Idempotency-Key over REST on the node's own app and a real single-member node. */
describe('Idempotency-Key belongs to its caller (REST, real MySQL and NATS)', () => {
  let n: NodeApp;
  let app: INestApplication;
  let admin: string;
  let other: string;

  beforeAll(async () => {
    n = await startNodeApp('idem');
    admin = await n.token(ADMIN.username, ADMIN.password);
    const actor = { username: ADMIN.username, role: 'admin' } as const;
    await n.node.commands.execute({ name: 'users.create', data: { username: 'deputy', password: 'deputy-pass', role: 'admin', displayName: 'Deputy' } }, actor);
    await n.node.commands.execute({ name: 'students.register', data: { studentId: 's1', name: 'Ada', className: '7a' } }, actor);
    other = await n.token('deputy', 'deputy-pass');
    app = await n.app();
  }, 90_000);

  afterAll(async () => {
    await n?.stop();
  });

  const modify = (token: string, key: string, body: object, prefer?: string) => {
    const req = request(app.getHttpServer()).post('/api/scores/modify').set('Authorization', `Bearer ${token}`).set('Idempotency-Key', key);
    if (prefer !== undefined) req.set('Prefer', prefer);
    return req.send(body);
  };
  const status = (token: string, id: string) =>
    request(app.getHttpServer()).get(`/api/commands/${encodeURIComponent(id)}`).set('Authorization', `Bearer ${token}`);

  it("another user's same key runs their own command; each retry replays its own caller's answer", async () => {
    const mine = await modify(admin, 'rest-key', { studentId: 's1', delta: 2, reason: 'mine' });
    expect(mine.status).toBe(200);
    const theirs = await modify(other, 'rest-key', { studentId: 's1', delta: 3, reason: 'theirs' });
    expect(theirs.status).toBe(200);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.commandId).not.toBe(mine.body.commandId);
    expect(theirs.body).toMatchObject({ score: 105 });
    const again = await modify(other, 'rest-key', { studentId: 's1', delta: 3, reason: 'theirs' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ commandId: theirs.body.commandId, position: theirs.body.position });
    // Each caller's key names their own command.
    expect((await status(admin, 'rest-key')).body).toMatchObject({ status: 'applied', idempotencyKey: 'rest-key', commandId: mine.body.commandId });
    expect((await status(other, 'rest-key')).body).toMatchObject({ status: 'applied', idempotencyKey: 'rest-key', commandId: theirs.body.commandId });
  }, 60_000);

  it('the same caller with the same key and another body gets 422 and nothing changes', async () => {
    const head = n.node.events.head;
    const res = await modify(admin, 'rest-key', { studentId: 's1', delta: 50, reason: 'mine' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, message: expect.stringMatching(/Idempotency-Key/) });
    expect(n.node.events.head).toBe(head);
  });

  it("Prefer: respond-async queues under the caller's own key; another caller's queued key is theirs alone", async () => {
    const first = await modify(admin, 'async-key', { studentId: 's1', delta: 1, reason: 'queued' }, 'respond-async');
    expect(first.status).toBe(202);
    const second = await modify(other, 'async-key', { studentId: 's1', delta: -1, reason: 'queued too' }, 'respond-async');
    expect(second.status).toBe(202);
    expect(second.headers.location).not.toBe(first.headers.location);
    const reused = await modify(admin, 'async-key', { studentId: 's1', delta: 9, reason: 'queued' }, 'respond-async');
    // Queued or already applied, the key is taken by another request: 422.
    expect(reused.status).toBe(422);
    for (const [token, answer] of [[admin, first], [other, second]] as const) {
      const deadline = Date.now() + 20_000;
      let body: { status?: string; result?: { reason?: string } } = {};
      while (Date.now() < deadline) {
        body = (await request(app.getHttpServer()).get(answer.headers.location as string).set('Authorization', `Bearer ${token}`)).body as typeof body;
        if (body.status !== 'pending') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toMatchObject({ status: 'applied' });
    }
    // Both applied, each once: their records are in the student's history.
    const records = await request(app.getHttpServer()).get('/api/students/s1/records?pageSize=10').set('Authorization', `Bearer ${admin}`);
    const reasons = (records.body as { items: { reason: string }[] }).items.map((r) => r.reason);
    expect(reasons.filter((r) => r === 'queued')).toHaveLength(1);
    expect(reasons.filter((r) => r === 'queued too')).toHaveLength(1);
  }, 60_000);
});
