import request from 'supertest';
import { MIN_POSITION_WAIT_MS } from '../../../src/api/min-position';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

describe('X-Min-Position / ?minPosition= (read-your-writes)', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.app.close());

  const reads = ['/api/students', '/api/students/s-1', '/api/students/s-1/records', '/api/applications', '/api/applications/app-1', '/api/users/tina'];

  it.each(reads)('GET %s waits until the read model has applied X-Min-Position', async (path) => {
    api.projector.position = 10;
    let answered = false;
    const pending = request(api.server).get(path).set(ACTOR_HEADER, ACTORS.admin).set('X-Min-Position', '12').then((r) => {
      answered = true;
      return r;
    });
    // Until the read is parked on the read model (bounded: on a loaded machine the request takes a while to arrive).
    for (let i = 0; i < 500 && api.projector.waits.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(answered).toBe(false);
    expect(api.projector.waits).toEqual([{ position: 12, timeoutMs: MIN_POSITION_WAIT_MS }]);
    api.projector.advance(12);
    expect((await pending).status).toBe(200);
  });

  it('takes ?minPosition= as well', async () => {
    await request(api.server).get('/api/students/s-1?minPosition=7').set(ACTOR_HEADER, ACTORS.student).expect(200);
    expect(api.projector.waits).toEqual([{ position: 7, timeoutMs: MIN_POSITION_WAIT_MS }]);
  });

  it('given both, then it waits for the larger', async () => {
    await request(api.server).get('/api/students?minPosition=7').set(ACTOR_HEADER, ACTORS.admin).set('X-Min-Position', '9').expect(200);
    expect(api.projector.waits.map((w) => w.position)).toEqual([9]);
  });

  it('given neither, then it does not wait', async () => {
    await request(api.server).get('/api/students').set(ACTOR_HEADER, ACTORS.admin).expect(200);
    expect(api.projector.waits).toHaveLength(0);
  });

  it('a write answer’s X-Log-Position is what the next read asks for', async () => {
    api.projector.position = 100;
    const write = await request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin).send({ studentId: 's-1', delta: 1, reason: 'r' }).expect(200);
    const read = request(api.server).get('/api/students/s-1').set(ACTOR_HEADER, ACTORS.admin).set('X-Min-Position', write.headers['x-log-position']);
    setTimeout(() => api.projector.advance(write.body.position), 20);
    await read.expect(200);
    expect(api.projector.waits[0].position).toBe(101);
  });

  it('given the read model stays behind, then 503 "read model behind" with Retry-After', async () => {
    api.projector.position = 5;
    api.projector.stalled = true;
    const res = await request(api.server).get('/api/students/s-1').set(ACTOR_HEADER, ACTORS.admin).set('X-Min-Position', '50').expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(res.body.message).toMatch(/read model behind/);
  });

  it.each(['abc', '-1', '1.5', '1e3', '', '99999999999999999'])('given X-Min-Position %p, then 400', async (value) => {
    const res = await request(api.server).get('/api/students').set(ACTOR_HEADER, ACTORS.admin).set('X-Min-Position', value).expect(400);
    expect(res.body.message).toMatch(/X-Min-Position/);
    expect(api.projector.waits).toHaveLength(0);
  });

  it.each(['abc', '-1', '2.5'])('given ?minPosition=%s, then 400', async (value) => {
    await request(api.server).get(`/api/students/s-1?minPosition=${value}`).set(ACTOR_HEADER, ACTORS.admin).expect(400);
    expect(api.projector.waits).toHaveLength(0);
  });

  it('given ?minPosition twice, then 400', async () => {
    await request(api.server).get('/api/students?minPosition=1&minPosition=2').set(ACTOR_HEADER, ACTORS.admin).expect(400);
  });

  it('does not let a student read another student by waiting (authorization comes first)', async () => {
    await request(api.server).get('/api/students/s-2').set(ACTOR_HEADER, ACTORS.student).set('X-Min-Position', '1').expect(404);
  });
});
