import request from 'supertest';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

const newUser = { username: 'kim', password: 'correct horse', role: 'teacher', displayName: 'Ms Kim' };

describe('users API', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.app.close());

  describe('POST /api/users', () => {
    it('given an admin, when creating a user, then 201 with the position in body and X-Log-Position', async () => {
      const res = await request(api.server).post('/api/users').set(ACTOR_HEADER, ACTORS.admin).send(newUser).expect(201);
      expect(res.body).toEqual({ username: 'kim', commandId: 'cmd-101', position: 101 });
      expect(res.headers['x-log-position']).toBe('101');
      expect(api.gateway.calls).toEqual([
        { command: { name: 'users.create', data: newUser }, actor: { username: 'root', role: 'admin' }, idempotencyKey: undefined },
      ]);
    });

    it('passes a student user’s studentId on', async () => {
      const body = { ...newUser, role: 'student', studentId: 's-1' };
      await request(api.server).post('/api/users').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(201);
      expect(api.gateway.calls[0].command).toEqual({ name: 'users.create', data: body });
    });

    it.each(['teacher', 'club', 'student'] as const)('given a %s, then 403 and nothing runs', async (role) => {
      const res = await request(api.server).post('/api/users').set(ACTOR_HEADER, ACTORS[role]).send(newUser).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(api.gateway.calls).toHaveLength(0);
    });

    it('without an actor, then 401', async () => {
      const res = await request(api.server).post('/api/users').send(newUser).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it.each([
      ['a short password', { ...newUser, password: 'short' }, 'password'],
      ['a 129-char password', { ...newUser, password: 'p'.repeat(129) }, 'password'],
      ['an unknown role', { ...newUser, role: 'janitor' }, 'role'],
      ['an uppercase username', { ...newUser, username: 'Kim' }, 'username'],
      ['a missing displayName', { username: 'kim', password: 'correct horse', role: 'teacher' }, 'displayName'],
      ['a 101-char displayName', { ...newUser, displayName: 'd'.repeat(101) }, 'displayName'],
      ['a bad studentId', { ...newUser, studentId: 's 1' }, 'studentId'],
      ['a null studentId', { ...newUser, studentId: null }, 'studentId'],
      ['an unknown field', { ...newUser, isAdmin: true }, 'isAdmin'],
    ])('given %s, then 400 naming the field', async (_what, body, field) => {
      const res = await request(api.server).post('/api/users').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(api.gateway.calls).toHaveLength(0);
    });
  });

  describe('PATCH /api/users/:username', () => {
    it('given an admin, when disabling, then 200 and users.update with the path username', async () => {
      const res = await request(api.server).patch('/api/users/tina').set(ACTOR_HEADER, ACTORS.admin).send({ disabled: true }).expect(200);
      expect(res.body.position).toBe(101);
      expect(res.headers['x-log-position']).toBe('101');
      expect(api.gateway.calls[0].command).toEqual({ name: 'users.update', data: { username: 'tina', disabled: true } });
    });

    it('changes a role', async () => {
      await request(api.server).patch('/api/users/tina').set(ACTOR_HEADER, ACTORS.admin).send({ role: 'club' }).expect(200);
      expect(api.gateway.calls[0].command).toEqual({ name: 'users.update', data: { username: 'tina', role: 'club' } });
    });

    it.each(['teacher', 'club', 'student'] as const)('given a %s, then 403', async (role) => {
      await request(api.server).patch('/api/users/tina').set(ACTOR_HEADER, ACTORS[role]).send({ disabled: true }).expect(403);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it.each([
      ['an empty body', {}],
      ['a null role', { role: null }],
      ['a string disabled', { disabled: 'yes' }],
      ['an unknown field', { disabled: true, password: 'x' }],
    ])('given %s, then 400', async (_what, body) => {
      const res = await request(api.server).patch('/api/users/tina').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
      expect(res.body.details.length).toBeGreaterThan(0);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it('given a malformed username in the path, then 400', async () => {
      await request(api.server).patch('/api/users/NOT%20OK').set(ACTOR_HEADER, ACTORS.admin).send({ disabled: true }).expect(400);
    });
  });

  describe('PUT /api/users/:username/classes', () => {
    it('given an admin, then 200 with the classes as recorded, and users.classes with the path username', async () => {
      const res = await request(api.server).put('/api/users/tina/classes').set(ACTOR_HEADER, ACTORS.admin).send({ classes: ['7A', ' 7B '] }).expect(200);
      expect(res.body).toEqual({ username: 'tina', classes: ['7A', '7B'], commandId: 'cmd-101', position: 101 });
      expect(res.headers['x-log-position']).toBe('101');
      expect(api.gateway.calls).toEqual([
        { command: { name: 'users.classes', data: { username: 'tina', classes: ['7A', ' 7B '] } }, actor: { username: 'root', role: 'admin' }, idempotencyKey: undefined },
      ]);
    });

    it('takes an empty list (no class) and 20 classes of 64 characters', async () => {
      await request(api.server).put('/api/users/tina/classes').set(ACTOR_HEADER, ACTORS.admin).send({ classes: [] }).expect(200);
      const twenty = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(64, 'c'));
      await request(api.server).put('/api/users/tina/classes').set(ACTOR_HEADER, ACTORS.admin).send({ classes: twenty }).expect(200);
      expect(api.gateway.calls.map((c) => c.command.data)).toEqual([{ username: 'tina', classes: [] }, { username: 'tina', classes: twenty }]);
    });

    it.each(['teacher', 'club', 'student'] as const)('given a %s (even for themselves), then 403 and nothing runs', async (role) => {
      await request(api.server).put('/api/users/tina/classes').set(ACTOR_HEADER, ACTORS[role]).send({ classes: ['7A'] }).expect(403);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it.each([
      ['no body', undefined],
      ['no classes', {}],
      ['classes null', { classes: null }],
      ['classes as a string', { classes: '7A' }],
      ['21 classes', { classes: Array.from({ length: 21 }, (_, i) => `c${i}`) }],
      ['an empty name', { classes: ['7A', ''] }],
      ['a blank name', { classes: ['   '] }],
      ['a name of 65 characters', { classes: ['c'.repeat(65)] }],
      ['a number', { classes: [7] }],
      ['an object', { classes: [{ name: '7A' }] }],
      ['an unknown field', { classes: ['7A'], role: 'admin' }],
    ])('given %s, then 400 and nothing runs', async (_what, body) => {
      const res = await request(api.server).put('/api/users/tina/classes').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.details.length).toBeGreaterThan(0);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it('given a malformed username in the path, then 400', async () => {
      await request(api.server).put('/api/users/NOT%20OK/classes').set(ACTOR_HEADER, ACTORS.admin).send({ classes: ['7A'] }).expect(400);
      expect(api.gateway.calls).toHaveLength(0);
    });
  });

  describe('GET /api/users/:username', () => {
    it('given an admin, then the user without secrets', async () => {
      const res = await request(api.server).get('/api/users/tina').set(ACTOR_HEADER, ACTORS.admin).expect(200);
      expect(res.body).toEqual({ username: 'tina', role: 'teacher', displayName: 'Tina', studentId: null, disabled: false, classes: ['7A'], position: 4 });
    });

    it('given an unknown user, then 404', async () => {
      const res = await request(api.server).get('/api/users/nobody').set(ACTOR_HEADER, ACTORS.admin).expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'user nobody not found' });
    });

    it.each(['teacher', 'club', 'student'] as const)('given a %s, then 403', async (role) => {
      await request(api.server).get('/api/users/tina').set(ACTOR_HEADER, ACTORS[role]).expect(403);
    });
  });
});

describe('REST: the admin portal routes of users and students', () => {
  let api: import('./http-test-app').TestApi;
  beforeAll(async () => {
    api = await (await import('./http-test-app')).startTestApi();
  });
  afterAll(() => api.app.close());
  const { ACTORS, ACTOR_HEADER } = jest.requireActual<typeof import('./http-test-app')>('./http-test-app');
  const request = jest.requireActual<typeof import('supertest')>('supertest');

  it('lists users (admin only), resets a password, renames, freezes and unfreezes through the gateway', async () => {
    const list = await request(api.server).get('/api/users?role=teacher').set(ACTOR_HEADER, ACTORS.admin).expect(200);
    expect(list.body).toMatchObject({ total: 1, items: [{ username: 'tina' }] });
    await request(api.server).get('/api/users').set(ACTOR_HEADER, ACTORS.teacher).expect(403);
    await request(api.server).post('/api/users/tina/password').set(ACTOR_HEADER, ACTORS.admin).send({ password: 'a-new-password' }).expect(200);
    await request(api.server).post('/api/users/tina/password').set(ACTOR_HEADER, ACTORS.admin).send({ password: 'short' }).expect(400);
    await request(api.server).patch('/api/users/tina').set(ACTOR_HEADER, ACTORS.admin).send({ displayName: 'Tina T' }).expect(200);
    await request(api.server).post('/api/students/s-1/freeze').set(ACTOR_HEADER, ACTORS.admin).expect(200);
    await request(api.server).post('/api/students/s-1/unfreeze').set(ACTOR_HEADER, ACTORS.admin).expect(200);
    await request(api.server).post('/api/students/s-1/freeze').set(ACTOR_HEADER, ACTORS.teacher).expect(403);
    expect(api.gateway.calls.map((c) => c.command)).toEqual([
      { name: 'users.password', data: { username: 'tina', password: 'a-new-password' } },
      { name: 'users.update', data: { username: 'tina', displayName: 'Tina T' } },
      { name: 'students.freeze', data: { studentId: 's-1' } },
      { name: 'students.unfreeze', data: { studentId: 's-1' } },
    ]);
  });
});
