import request from 'supertest';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

const STAFF = ['admin', 'teacher', 'club'] as const;
const newStudent = { studentId: 's-9', name: 'Ada', className: '7A' };

describe('students API', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.app.close());

  describe('POST /api/students', () => {
    it('given an admin, then 201 with position, X-Log-Position and students.register', async () => {
      const body = { ...newStudent, initialScore: 120 };
      const res = await request(api.server).post('/api/students').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(201);
      expect(res.body).toEqual({ studentId: 's-9', commandId: 'cmd-101', position: 101 });
      expect(res.headers['x-log-position']).toBe('101');
      expect(api.gateway.calls[0].command).toEqual({ name: 'students.register', data: body });
    });

    it('leaves initialScore out when not given (the domain defaults it)', async () => {
      await request(api.server).post('/api/students').set(ACTOR_HEADER, ACTORS.admin).send(newStudent).expect(201);
      expect(api.gateway.calls[0].command.data).toEqual(newStudent);
    });

    it.each(['teacher', 'club', 'student'] as const)('given a %s, then 403', async (role) => {
      await request(api.server).post('/api/students').set(ACTOR_HEADER, ACTORS[role]).send(newStudent).expect(403);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it.each([
      ['initialScore 1001', { ...newStudent, initialScore: 1001 }, 'initialScore'],
      ['initialScore -1', { ...newStudent, initialScore: -1 }, 'initialScore'],
      ['initialScore "5"', { ...newStudent, initialScore: '5' }, 'initialScore'],
      ['initialScore 1.5', { ...newStudent, initialScore: 1.5 }, 'initialScore'],
      ['a 65-char id', { ...newStudent, studentId: 'x'.repeat(65) }, 'studentId'],
      ['an id with a slash', { ...newStudent, studentId: 'a/b' }, 'studentId'],
      ['an empty name', { ...newStudent, name: '' }, 'name'],
      ['a blank name', { ...newStudent, name: '   ' }, 'name'],
      ['a 101-char name', { ...newStudent, name: 'n'.repeat(101) }, 'name'],
      ['a numeric className', { ...newStudent, className: 7 }, 'className'],
      ['an extra field', { ...newStudent, score: 5 }, 'score'],
    ])('given %s, then 400 naming the field', async (_what, body, field) => {
      const res = await request(api.server).post('/api/students').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(api.gateway.calls).toHaveLength(0);
    });
  });

  describe('PATCH /api/students/:studentId', () => {
    it('given an admin, then 200 and students.correct with the path id', async () => {
      const res = await request(api.server).patch('/api/students/s-1').set(ACTOR_HEADER, ACTORS.admin).send({ className: '8C' }).expect(200);
      expect(res.headers['x-log-position']).toBe('101');
      expect(api.gateway.calls[0].command).toEqual({ name: 'students.correct', data: { studentId: 's-1', className: '8C' } });
    });

    it.each(['teacher', 'club', 'student'] as const)('given a %s, then 403', async (role) => {
      await request(api.server).patch('/api/students/s-1').set(ACTOR_HEADER, ACTORS[role]).send({ name: 'X' }).expect(403);
    });

    it.each([
      ['an empty body', {}],
      ['a null name', { name: null }],
      ['a studentId in the body', { name: 'X', studentId: 's-2' }],
    ])('given %s, then 400', async (_what, body) => {
      await request(api.server).patch('/api/students/s-1').set(ACTOR_HEADER, ACTORS.admin).send(body).expect(400);
      expect(api.gateway.calls).toHaveLength(0);
    });
  });

  describe('GET /api/students', () => {
    it.each(STAFF)('given a %s, then a page of students', async (role) => {
      const res = await request(api.server).get('/api/students').set(ACTOR_HEADER, ACTORS[role]).expect(200);
      expect(res.body).toMatchObject({ page: 1, pageSize: 20, total: 3 });
      expect(res.body.items.map((s: { studentId: string }) => s.studentId)).toEqual(['s-1', 's-2', 's-3']);
    });

    it('filters by class and pages', async () => {
      const res = await request(api.server).get('/api/students?className=7A&page=2&pageSize=1').set(ACTOR_HEADER, ACTORS.teacher).expect(200);
      expect(api.reads.studentLists).toEqual([{ className: '7A', page: 2, pageSize: 1 }]);
      expect(res.body).toMatchObject({ page: 2, pageSize: 1, total: 2, items: [{ studentId: 's-3' }] });
    });

    it('given a student, then 403', async () => {
      await request(api.server).get('/api/students').set(ACTOR_HEADER, ACTORS.student).expect(403);
      expect(api.reads.studentLists).toHaveLength(0);
    });

    it.each(['page=0', 'pageSize=0', 'pageSize=101', 'page=abc', 'pageSize=1.5', 'sort=name'])('given ?%s, then 400', async (query) => {
      const res = await request(api.server).get(`/api/students?${query}`).set(ACTOR_HEADER, ACTORS.admin).expect(400);
      expect(res.body.details.length).toBeGreaterThan(0);
      expect(api.reads.studentLists).toHaveLength(0);
    });
  });

  describe('GET /api/students/:studentId', () => {
    it.each(STAFF)('given a %s, then any student', async (role) => {
      const res = await request(api.server).get('/api/students/s-2').set(ACTOR_HEADER, ACTORS[role]).expect(200);
      expect(res.body).toMatchObject({ studentId: 's-2', name: 'Student s-2', className: '7B', score: 100, frozen: false, position: 1 });
      expect(res.body.updatedAt).toBe('2025-01-01T00:00:00.000Z');
    });

    it('given the student themself, then their student', async () => {
      await request(api.server).get('/api/students/s-1').set(ACTOR_HEADER, ACTORS.student).expect(200);
    });

    it('given a student asking for another student (BOLA), then 404 exactly like an unknown id', async () => {
      const other = await request(api.server).get('/api/students/s-2').set(ACTOR_HEADER, ACTORS.student).expect(404);
      const unknown = await request(api.server).get('/api/students/s-404').set(ACTOR_HEADER, 'student:nia:s-404').expect(404);
      expect(other.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'student s-2 not found' });
      expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'student s-404 not found' });
    });

    it('given a student user bound to no student, then 404', async () => {
      await request(api.server).get('/api/students/s-1').set(ACTOR_HEADER, 'student:ghost').expect(404);
    });

    it('given an unknown id, then 404', async () => {
      await request(api.server).get('/api/students/s-404').set(ACTOR_HEADER, ACTORS.admin).expect(404);
    });

    it('given a malformed id, then 400', async () => {
      await request(api.server).get(`/api/students/${'x'.repeat(65)}`).set(ACTOR_HEADER, ACTORS.admin).expect(400);
    });

    it('without an actor, then 401', async () => {
      await request(api.server).get('/api/students/s-1').expect(401);
    });
  });

  describe('GET /api/students/:studentId/records', () => {
    it.each(STAFF)('given a %s, then the history newest first', async (role) => {
      const res = await request(api.server).get('/api/students/s-1/records').set(ACTOR_HEADER, ACTORS[role]).expect(200);
      expect(res.body.items.map((r: { position: number }) => r.position)).toEqual([2, 1]);
      expect(res.body.total).toBe(2);
    });

    it('given the student themself, then their history, paged', async () => {
      const res = await request(api.server).get('/api/students/s-1/records?page=2&pageSize=1').set(ACTOR_HEADER, ACTORS.student).expect(200);
      expect(res.body).toMatchObject({ page: 2, pageSize: 1, total: 2, items: [{ position: 1 }] });
    });

    it('given a student asking for another student’s records (BOLA), then 404', async () => {
      const res = await request(api.server).get('/api/students/s-2/records').set(ACTOR_HEADER, ACTORS.student).expect(404);
      expect(res.body.message).toBe('student s-2 not found');
    });

    it('given an unknown student, then 404', async () => {
      await request(api.server).get('/api/students/s-404/records').set(ACTOR_HEADER, ACTORS.teacher).expect(404);
    });

    it('given pageSize 101, then 400', async () => {
      await request(api.server).get('/api/students/s-1/records?pageSize=101').set(ACTOR_HEADER, ACTORS.admin).expect(400);
    });
  });
});

describe('REST: a student reads only their own chart and export', () => {
  let api: import('./http-test-app').TestApi;
  const { ACTORS, ACTOR_HEADER, startTestApi } = jest.requireActual<typeof import('./http-test-app')>('./http-test-app');
  const request = jest.requireActual<typeof import('supertest')>('supertest');
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.app.close());

  it('own score history and records.csv: 200; another student\'s: refused; students.csv and the overview: staff only', async () => {
    await request(api.server).get('/api/students/s-1/score-history').set(ACTOR_HEADER, ACTORS.student).expect(200);
    const csv = await request(api.server).get('/api/students/s-1/records.csv').set(ACTOR_HEADER, ACTORS.student).expect(200);
    expect(csv.text.startsWith('\uFEFFposition,')).toBe(true);
    expect([403, 404]).toContain((await request(api.server).get('/api/students/s-2/score-history').set(ACTOR_HEADER, ACTORS.student)).status);
    expect([403, 404]).toContain((await request(api.server).get('/api/students/s-2/records.csv').set(ACTOR_HEADER, ACTORS.student)).status);
    await request(api.server).get('/api/students.csv').set(ACTOR_HEADER, ACTORS.student).expect(403);
    await request(api.server).get('/api/stats/overview').set(ACTOR_HEADER, ACTORS.teacher).expect(403);
    await request(api.server).get('/api/students.csv').set(ACTOR_HEADER, ACTORS.teacher).expect(200);
  });
});
