import request from 'supertest';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

const changes = (n: number) => Array.from({ length: n }, (_, i) => ({ studentId: `s-${i + 1}`, delta: i % 2 === 0 ? 1 : -1 }));

describe('saga endpoints', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.app.close());

  describe('POST /api/scores/batch', () => {
    it.each(['admin', 'club'] as const)('given a %s and 5,000 changes (past the 16 kB limit of other bodies), then 202 {sagaId} and scores.batch', async (role) => {
      const body = { changes: changes(5000), reason: 'sports day' };
      const res = await request(api.server).post('/api/scores/batch').set(ACTOR_HEADER, ACTORS[role]).send(body).expect(202);
      expect(res.body).toMatchObject({ sagaId: expect.any(String), status: 'running', position: expect.any(Number) });
      expect(api.gateway.calls[0].command).toEqual({ name: 'scores.batch', data: body });
    });

    it.each(['teacher', 'student'] as const)('given a %s, then 403', async (role) => {
      await request(api.server).post('/api/scores/batch').set(ACTOR_HEADER, ACTORS[role]).send({ changes: changes(1), reason: 'r' }).expect(403);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it.each([
      ['5,001 changes', { changes: changes(5001), reason: 'r' }, 'changes'],
      ['no change', { changes: [], reason: 'r' }, 'changes'],
      ['a zero delta', { changes: [{ studentId: 's-1', delta: 0 }], reason: 'r' }, 'changes'],
      ['a bad id', { changes: [{ studentId: 'a/b', delta: 1 }], reason: 'r' }, 'changes'],
      ['an extra field in a change', { changes: [{ studentId: 's-1', delta: 1, score: 3 }], reason: 'r' }, 'changes'],
      ['a blank reason', { changes: changes(1), reason: ' ' }, 'reason'],
    ])('given %s, then 400 and nothing reaches the log', async (_what, body, field) => {
      const res = await request(api.server).post('/api/scores/batch').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
      expect(JSON.stringify(res.body.details)).toContain(field);
      expect(api.gateway.calls).toHaveLength(0);
    });
  });

  describe('archives and sagas', () => {
    it('starts an archive (admin): 202 and archives.start, className only when given', async () => {
      await request(api.server).post('/api/archives').set(ACTOR_HEADER, ACTORS.admin).send({ semester: '2025-fall' }).expect(202);
      await request(api.server).post('/api/archives').set(ACTOR_HEADER, ACTORS.admin).send({ semester: '2025-fall', className: '7a' }).expect(202);
      expect(api.gateway.calls.map((c) => c.command)).toEqual([
        { name: 'archives.start', data: { semester: '2025-fall' } },
        { name: 'archives.start', data: { semester: '2025-fall', className: '7a' } },
      ]);
    });

    it.each(['teacher', 'club', 'student'] as const)('refuses an archive started by a %s (403)', async (role) => {
      await request(api.server).post('/api/archives').set(ACTOR_HEADER, ACTORS[role]).send({ semester: '2025-fall' }).expect(403);
    });

    it("answers 404 for another student's archived score, and for an unknown saga", async () => {
      await request(api.server).get('/api/archives/2025-fall/students/s-1').set(ACTOR_HEADER, ACTORS.student).expect(200);
      await request(api.server).get('/api/archives/2025-fall/students/s-2').set(ACTOR_HEADER, ACTORS.admin).expect(200);
      await request(api.server).get('/api/archives/2025-fall/students/s-2').set(ACTOR_HEADER, ACTORS.student).expect(404);
      await request(api.server).get('/api/sagas/saga-x').set(ACTOR_HEADER, ACTORS.admin).expect(404);
      await request(api.server).get('/api/sagas/saga-x').set(ACTOR_HEADER, ACTORS.club).expect(403);
    });

    it('retries a saga (admin): 202 and sagas.retry', async () => {
      await request(api.server).post('/api/sagas/saga-x/retry').set(ACTOR_HEADER, ACTORS.admin).expect(202);
      expect(api.gateway.calls[0].command).toEqual({ name: 'sagas.retry', data: { sagaId: 'saga-x' } });
    });
  });
});
