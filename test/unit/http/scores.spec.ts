import request from 'supertest';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

const change = { studentId: 's-1', delta: -5, reason: 'late to class' };

describe('POST /api/scores/modify', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.app.close());

  it('given an admin, then 200 with position and X-Log-Position, and scores.modify for that admin', async () => {
    const res = await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).send(change).expect(200);
    expect(res.body).toEqual({ studentId: 's-1', commandId: 'cmd-101', position: 101 });
    expect(res.headers['x-log-position']).toBe('101');
    expect(api.gateway.calls).toEqual([{ command: { name: 'scores.modify', data: change }, actor: { username: 'root', role: 'admin' }, idempotencyKey: undefined }]);
  });

  it.each(['teacher', 'club', 'student'] as const)('given a %s, then 403', async (role) => {
    await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS[role]).send(change).expect(403);
    expect(api.gateway.calls).toHaveLength(0);
  });

  it.each([
    ['delta 0', { ...change, delta: 0 }, 'delta'],
    ['delta 1001', { ...change, delta: 1001 }, 'delta'],
    ['delta -1001', { ...change, delta: -1001 }, 'delta'],
    ['delta 1.5', { ...change, delta: 1.5 }, 'delta'],
    ['delta "3"', { ...change, delta: '3' }, 'delta'],
    ['delta null', { ...change, delta: null }, 'delta'],
    ['a 501-char reason', { ...change, reason: 'r'.repeat(501) }, 'reason'],
    ['an empty reason', { ...change, reason: '' }, 'reason'],
    ['no studentId', { delta: 1, reason: 'x' }, 'studentId'],
    ['an extra field', { ...change, source: 'batch' }, 'source'],
  ])('given %s, then 400 naming the field', async (_what, body, field) => {
    const res = await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(api.gateway.calls).toHaveLength(0);
  });

  it.each(['toString', 'constructor', '__proto__'])('given an extra field named %s (which class-transformer would drop), then 400', async (key) => {
    const raw = `{"studentId":"s-1","delta":1,"reason":"r","${key}":{"x":1}}`;
    const res = await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).set('Content-Type', 'application/json').send(raw).expect(400);
    expect(res.body.details).toEqual([{ field: key, messages: [`property ${key} should not exist`] }]);
    expect(api.gateway.calls).toHaveLength(0);
  });

  it('accepts the bounds ±1000', async () => {
    await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).send({ ...change, delta: 1000 }).expect(200);
    await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).send({ ...change, delta: -1000 }).expect(200);
  });
});
