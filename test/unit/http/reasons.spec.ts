import request from 'supertest';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

describe('REST /api/reasons and /api/config', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.app.close());
  beforeEach(() => api.gateway.calls.splice(0));

  const body = { code: 'helped', labelZh: '助人为乐', labelEn: 'Helped others', defaultDelta: 2, polarity: 'positive' };

  it('every signed-in user reads the catalogue with the score range (students too: their records name reasons); nobody else (401)', async () => {
    for (const who of [ACTORS.admin, ACTORS.teacher, ACTORS.club, ACTORS.student]) {
      const res = await request(api.server).get('/api/reasons').set(ACTOR_HEADER, who).expect(200);
      expect(res.body).toEqual({ items: [], scoreRange: { min: 0, max: 200 } });
    }
    await request(api.server).get('/api/reasons').expect(401);
  });

  it('any signed-in user reads the config', async () => {
    const res = await request(api.server).get('/api/config').set(ACTOR_HEADER, ACTORS.student).expect(200);
    expect(res.body).toEqual({ scoreRange: { min: 0, max: 200 }, defaultInitialScore: 100 });
  });

  it('admins create and update reasons through the gateway; others get 403', async () => {
    await request(api.server).post('/api/reasons').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(201);
    await request(api.server).patch('/api/reasons/helped').set(ACTOR_HEADER, ACTORS.admin).send({ active: false }).expect(200);
    expect(api.gateway.calls.map((c) => c.command)).toEqual([
      { name: 'reasons.create', data: body },
      { name: 'reasons.update', data: { code: 'helped', active: false } },
    ]);
    await request(api.server).post('/api/reasons').set(ACTOR_HEADER, ACTORS.teacher).send(body).expect(403);
    expect(api.gateway.calls).toHaveLength(2);
  });

  it.each([
    ['a malformed code', { ...body, code: 'Bad Code' }],
    ['a zero delta', { ...body, defaultDelta: 0 }],
    ['an unknown polarity', { ...body, polarity: 'neutral' }],
    ['an unknown field', { ...body, colour: 'red' }],
    ['a blank label', { ...body, labelEn: '  ' }],
  ])('refuses %s (400) and decides nothing', async (_what, bad) => {
    const res = await request(api.server).post('/api/reasons').set(ACTOR_HEADER, ACTORS.admin).send(bad).expect(400);
    expect(res.body).toEqual(expect.objectContaining({ statusCode: 400, error: 'Bad Request' }));
    expect(api.gateway.calls).toHaveLength(0);
  });

  it('an empty PATCH is 400; a score change may name a reason code', async () => {
    await request(api.server).patch('/api/reasons/helped').set(ACTOR_HEADER, ACTORS.admin).send({}).expect(400);
    await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).send({ studentId: 's-1', delta: 2, reason: 'r', reasonCode: 'helped' }).expect(200);
    expect(api.gateway.calls.at(-1)?.command).toEqual({ name: 'scores.modify', data: { studentId: 's-1', delta: 2, reason: 'r', reasonCode: 'helped' } });
    await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).send({ studentId: 's-1', delta: 2, reason: 'r', reasonCode: 'NOT OK' }).expect(400);
  });
});
