import request from 'supertest';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { domainError } from '../../../src/domain';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

const submission = { studentId: 's-1', delta: 3, reason: 'helped a classmate' };
const review = { decision: 'approve', comment: 'well done' };

describe('applications API', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.app.close());

  describe('POST /api/applications', () => {
    it.each(['teacher', 'club'] as const)('given a %s, then 201 {applicationId, status: pending, position}', async (role) => {
      const res = await request(api.server).post('/api/applications').set(ACTOR_HEADER, ACTORS[role]).send(submission).expect(201);
      expect(res.body).toEqual({ applicationId: 'app-101', status: 'pending', commandId: 'cmd-101', position: 101 });
      expect(res.headers['x-log-position']).toBe('101');
      expect(api.gateway.calls[0].command).toEqual({ name: 'applications.submit', data: submission });
    });

    it.each(['admin', 'student'] as const)('given a %s, then 403', async (role) => {
      await request(api.server).post('/api/applications').set(ACTOR_HEADER, ACTORS[role]).send(submission).expect(403);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it.each([
      ['delta 0', { ...submission, delta: 0 }],
      ['a missing reason', { studentId: 's-1', delta: 3 }],
      ['an applicationId', { ...submission, applicationId: 'mine' }],
    ])('given %s, then 400', async (_what, body) => {
      await request(api.server).post('/api/applications').set(ACTOR_HEADER, ACTORS.teacher).send(body).expect(400);
      expect(api.gateway.calls).toHaveLength(0);
    });
  });

  describe('GET /api/applications', () => {
    it('given an admin, then all applications', async () => {
      const res = await request(api.server).get('/api/applications').set(ACTOR_HEADER, ACTORS.admin).expect(200);
      expect(res.body.total).toBe(3);
      expect(api.reads.applicationLists[0].submittedBy).toBeUndefined();
    });

    it.each([
      ['teacher', ['app-1', 'app-3']],
      ['club', ['app-2']],
    ] as const)('given a %s, then only their own', async (role, ids) => {
      const res = await request(api.server).get('/api/applications').set(ACTOR_HEADER, ACTORS[role]).expect(200);
      expect(res.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual(ids);
    });

    it('filters by status and pages', async () => {
      await request(api.server).get('/api/applications?status=pending&page=1&pageSize=5').set(ACTOR_HEADER, ACTORS.teacher).expect(200);
      expect(api.reads.applicationLists).toEqual([{ status: 'pending', page: 1, pageSize: 5, submittedBy: 'tina' }]);
    });

    it('given a student, then 403', async () => {
      await request(api.server).get('/api/applications').set(ACTOR_HEADER, ACTORS.student).expect(403);
    });

    it.each(['status=open', 'pageSize=500', 'submittedBy=chess'])('given ?%s, then 400', async (query) => {
      await request(api.server).get(`/api/applications?${query}`).set(ACTOR_HEADER, ACTORS.teacher).expect(400);
      expect(api.reads.applicationLists).toHaveLength(0);
    });
  });

  describe('GET /api/applications/:id', () => {
    it('given an admin, then any application', async () => {
      const res = await request(api.server).get('/api/applications/app-2').set(ACTOR_HEADER, ACTORS.admin).expect(200);
      expect(res.body).toMatchObject({ applicationId: 'app-2', submittedBy: 'chess', status: 'approved', reviewer: 'root' });
    });

    it('given its submitter, then it', async () => {
      await request(api.server).get('/api/applications/app-1').set(ACTOR_HEADER, ACTORS.teacher).expect(200);
    });

    it('given another teacher or club, then 404 exactly like an unknown id', async () => {
      const other = await request(api.server).get('/api/applications/app-1').set(ACTOR_HEADER, ACTORS.club).expect(404);
      const unknown = await request(api.server).get('/api/applications/app-9').set(ACTOR_HEADER, ACTORS.admin).expect(404);
      expect(other.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'application app-1 not found' });
      expect(unknown.body.message).toBe('application app-9 not found');
    });

    it('given a student, then 403', async () => {
      await request(api.server).get('/api/applications/app-1').set(ACTOR_HEADER, ACTORS.student).expect(403);
    });
  });

  describe('POST /api/applications/:id/review', () => {
    it('given an admin, then 200 with the position and applications.review', async () => {
      const res = await request(api.server).post('/api/applications/app-1/review').set(ACTOR_HEADER, ACTORS.admin).send(review).expect(200);
      expect(res.body).toEqual({ applicationId: 'app-1', status: 'approved', commandId: 'cmd-101', position: 101 });
      expect(res.headers['x-log-position']).toBe('101');
      expect(api.gateway.calls[0].command).toEqual({ name: 'applications.review', data: { applicationId: 'app-1', ...review } });
    });

    it.each(['teacher', 'club', 'student'] as const)('given a %s, then 403', async (role) => {
      await request(api.server).post('/api/applications/app-1/review').set(ACTOR_HEADER, ACTORS[role]).send(review).expect(403);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it('given an application already reviewed, then the 409 of the domain', async () => {
      api.gateway.failWith = new DomainRefusal(domainError('conflict', 'application app-2 was already approved'));
      const res = await request(api.server).post('/api/applications/app-2/review').set(ACTOR_HEADER, ACTORS.admin).send(review).expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'application app-2 was already approved' });
    });

    it('given an approval that would leave the allowed range, then the 422 of the domain', async () => {
      api.gateway.failWith = new DomainRefusal(domainError('rule-broken', 'score would be 201, above 200'));
      const res = await request(api.server).post('/api/applications/app-1/review').set(ACTOR_HEADER, ACTORS.admin).send(review).expect(422);
      expect(res.body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: 'score would be 201, above 200' });
    });

    it.each([
      ['decision maybe', { ...review, decision: 'maybe' }, 'decision'],
      ['no comment', { decision: 'reject' }, 'comment'],
      ['a 501-char comment', { ...review, comment: 'c'.repeat(501) }, 'comment'],
      ['a delta', { ...review, delta: 5 }, 'delta'],
    ])('given %s, then 400 naming the field', async (_what, body, field) => {
      const res = await request(api.server).post('/api/applications/app-1/review').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(api.gateway.calls).toHaveLength(0);
    });
  });
});
