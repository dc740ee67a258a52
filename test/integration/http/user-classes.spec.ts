import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AggregateStore } from '../../../src/application/aggregate-store';
import { MysqlAggregateSource } from '../../../src/infra/mysql/aggregate-source';
import { ADMIN, type NodeApp, startNodeApp } from './node-app';

/**
 * "My classes" end to end on a real single-member node (MySQL and NATS): an admin sets a
 * teacher's classes through the log, the users read model and the teacher's session show them,
 * and every refusal changes nothing.
 */
describe('PUT /api/users/:username/classes (REST, real MySQL and NATS)', () => {
  let n: NodeApp;
  let app: INestApplication;
  let admin: string;

  beforeAll(async () => {
    n = await startNodeApp('cls');
    admin = await n.token(ADMIN.username, ADMIN.password);
    const actor = { username: ADMIN.username, role: 'admin' } as const;
    await n.node.commands.execute({ name: 'users.create', data: { username: 'ms.kim', password: 'teacher-pass', role: 'teacher', displayName: 'Ms Kim' } }, actor);
    await n.node.commands.execute({ name: 'students.register', data: { studentId: 's1', name: 'Ada', className: '7A' } }, actor);
    await n.node.commands.execute({ name: 'users.create', data: { username: 'ada', password: 'student-pass', role: 'student', displayName: 'Ada', studentId: 's1' } }, actor);
    app = await n.app();
  }, 90_000);

  afterAll(async () => {
    await n?.stop();
  });

  const put = (token: string, username: string, body: unknown) =>
    request(app.getHttpServer()).put(`/api/users/${username}/classes`).set('Authorization', `Bearer ${token}`).send(body as object);
  const read = (token: string, path: string, position?: number) => {
    const req = request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
    if (position !== undefined) req.set('X-Min-Position', String(position));
    return req;
  };

  it("sets a teacher's classes: the users list, the user and the teacher's own session show them in order", async () => {
    // Signed in before: assigning classes signs no one out.
    const teacher = await n.token('ms.kim', 'teacher-pass');
    const res = await put(admin, 'ms.kim', { classes: ['7B', ' 7A '] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'ms.kim', classes: ['7B', '7A'], position: expect.any(Number) });
    expect(res.headers['x-log-position']).toBe(String(res.body.position));
    const user = await read(admin, '/api/users/ms.kim', res.body.position);
    expect(user.body).toMatchObject({ username: 'ms.kim', role: 'teacher', classes: ['7B', '7A'] });
    const teachers = await read(admin, '/api/users?role=teacher', res.body.position);
    expect(teachers.body.items).toEqual([expect.objectContaining({ username: 'ms.kim', classes: ['7B', '7A'] })]);
    // Once the credentials have applied the assignment, the token signed before it still holds.
    const deadline = Date.now() + 5000;
    while (n.node.auth.projector.position < res.body.position && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(n.node.auth.projector.position).toBeGreaterThanOrEqual(res.body.position);
    const me = await read(teacher, '/api/auth/me', res.body.position);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ username: 'ms.kim', role: 'teacher', displayName: 'Ms Kim', classes: ['7B', '7A'] });
    // Users with no class show an empty list, the student too.
    const student = await n.token('ada', 'student-pass');
    expect((await read(student, '/api/auth/me')).body).toMatchObject({ studentId: 's1', classes: [] });
  }, 30_000);

  it('the same list again writes nothing (position null); an empty list clears them', async () => {
    const head = n.node.events.head;
    const same = await put(admin, 'ms.kim', { classes: ['7B', '7A'] });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ classes: ['7B', '7A'], position: null });
    expect(n.node.events.head).toBe(head);
    const cleared = await put(admin, 'ms.kim', { classes: [] });
    expect(cleared.body).toMatchObject({ classes: [] });
    expect((await read(admin, '/api/users/ms.kim', cleared.body.position)).body.classes).toEqual([]);
    const restored = await put(admin, 'ms.kim', { classes: ['7A'] });
    expect((await read(admin, '/api/users/ms.kim', restored.body.position)).body.classes).toEqual(['7A']);
  }, 30_000);

  it.each([
    ['a student user', 'ada', { classes: ['7A'] }, 422, /only teacher and club users look after classes/],
    ['the admin', ADMIN.username, { classes: ['7A'] }, 422, /only teacher and club users look after classes/],
    ['an unknown user', 'nobody', { classes: ['7A'] }, 404, /nobody does not exist/],
    ['a name twice (after trimming)', 'ms.kim', { classes: ['7A', '7A '] }, 400, /must not name 7A twice/],
    ['21 classes', 'ms.kim', { classes: Array.from({ length: 21 }, (_, i) => `c${i}`) }, 400, /classes/],
    ['a blank name', 'ms.kim', { classes: ['  '] }, 400, /classes/],
    ['no list', 'ms.kim', { classes: 'x' }, 400, /classes/],
  ])('refuses %s and changes nothing', async (_what, username, body, status, message) => {
    const head = n.node.events.head;
    const res = await put(admin, username, body);
    expect(res.status).toBe(status);
    expect(JSON.stringify(res.body)).toMatch(message);
    expect(n.node.events.head).toBe(head);
    expect((await read(admin, '/api/users/ms.kim')).body.classes).toEqual(['7A']);
  }, 30_000);

  it('refuses a teacher setting classes, their own included (403)', async () => {
    const teacher = await n.token('ms.kim', 'teacher-pass');
    const res = await put(teacher, 'ms.kim', { classes: ['7A', '9Z'] });
    expect(res.status).toBe(403);
    expect((await read(admin, '/api/users/ms.kim')).body.classes).toEqual(['7A']);
  }, 30_000);

  it('a role change to admin drops them, in the read model and in the aggregate the log folds into', async () => {
    const changed = await request(app.getHttpServer()).patch('/api/users/ms.kim').set('Authorization', `Bearer ${admin}`).send({ role: 'admin' });
    expect(changed.status).toBe(200);
    expect((await read(admin, '/api/users/ms.kim', changed.body.position)).body).toMatchObject({ role: 'admin', classes: [] });
    const store = new AggregateStore(new MysqlAggregateSource(n.node.db));
    await store.load();
    expect(store.user('ms.kim')).toMatchObject({ role: 'admin', classes: [] });
  }, 30_000);
});
