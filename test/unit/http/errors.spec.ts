import request from 'supertest';
import { AggregateNotLoadedError, AggregatesReloadingError } from '../../../src/application/aggregate-store';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { NoQuorumError, UnknownOutcomeError } from '../../../src/application/proposal-errors';
import { type DomainErrorCode, domainError } from '../../../src/domain';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

const change = { studentId: 's-1', delta: -5, reason: 'late' };

describe('error answers and write conventions', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.app.close());

  const modify = () => request(api.server).post('/api/scores/modify').set(ACTOR_HEADER, ACTORS.admin);

  it.each([
    ['invalid', 400, 'Bad Request'],
    ['forbidden', 403, 'Forbidden'],
    ['not-found', 404, 'Not Found'],
    ['conflict', 409, 'Conflict'],
    ['rule-broken', 422, 'Unprocessable Entity'],
  ] as const)('given a DomainRefusal %s, then %i in the error shape', async (code: DomainErrorCode, status, error) => {
    api.gateway.failWith = new DomainRefusal(domainError(code, `refused: ${code}`));
    const res = await modify().send(change).expect(status);
    expect(res.body).toEqual({ statusCode: status, error, message: `refused: ${code}` });
  });

  it('given no quorum, then 503 with Retry-After', async () => {
    api.gateway.failWith = new NoQuorumError(2);
    const res = await modify().send(change).expect(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(res.body.message).toMatch(/no quorum/);
  });

  it('given an unknown outcome, then 504 naming the command', async () => {
    api.gateway.failWith = new UnknownOutcomeError('cmd-7');
    const res = await modify().send(change).expect(504);
    expect(res.body).toMatchObject({ statusCode: 504, error: 'Gateway Timeout', details: { commandId: 'cmd-7' } });
  });

  it('given the node\'s database out of reach, then 503 with Retry-After, leaking nothing', async () => {
    api.gateway.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306 root:secret'), { code: 'ECONNREFUSED' });
    const res = await modify().send(change).expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(res.body.message).toMatch(/storage unavailable/);
    expect(JSON.stringify(res.body)).not.toMatch(/secret|3306/);
  });

  it.each([
    ['an aggregate read without its load (a bug)', new AggregateNotLoadedError('application/a-1'), /has not loaded a record/],
    ['a load overtaken by a reload of every aggregate (a recovery)', new AggregatesReloadingError(), /reloading its aggregates/],
  ])('given %s, then 503 with Retry-After, never 500', async (_what, error, message) => {
    api.gateway.failWith = error;
    const res = await modify().send(change).expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(res.body.message).toMatch(message);
    expect(JSON.stringify(res.body)).not.toMatch(/a-1/);
  });

  it('given an unexpected error, then 500 that leaks nothing', async () => {
    api.gateway.failWith = new Error('ECONNREFUSED mysql://root:secret@db');
    const res = await modify().send(change).expect(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
    expect(JSON.stringify(res.body)).not.toMatch(/secret|mysql|stack/);
  });

  it('given a body over 16 kB, then 413 before anything runs', async () => {
    const res = await modify().send({ ...change, reason: 'x'.repeat(17 * 1024) }).expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(api.gateway.calls).toHaveLength(0);
  });

  it('given a body just under 16 kB, then it is read (and validated)', async () => {
    const res = await modify().send({ ...change, reason: 'x'.repeat(15 * 1024) }).expect(400);
    expect(res.body.details[0].field).toBe('reason');
  });

  it('given an urlencoded body over 16 kB, then 413', async () => {
    await modify().type('form').send(`reason=${'x'.repeat(17 * 1024)}`).expect(413);
  });

  it.each(['{"studentId": "s-1",', "{'a': 1}", 'nul', '{"a": 1} trailing'])('given malformed JSON %s, then 400 saying so in the error shape', async (raw) => {
    const res = await modify().set('Content-Type', 'application/json').send(raw).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
    expect(api.gateway.calls).toHaveLength(0);
  });

  it.each(['"just a string"', '42', 'null'])('given JSON %s that is not an object, then 400 saying so', async (raw) => {
    const res = await modify().set('Content-Type', 'application/json').send(raw).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'body must be a JSON object' });
    expect(api.gateway.calls).toHaveLength(0);
  });

  it('given a JSON array, then 400', async () => {
    await modify().send([change]).expect(400);
    expect(api.gateway.calls).toHaveLength(0);
  });

  it('given an unknown route, then 404 in the error shape', async () => {
    const res = await request(api.server).get('/api/nothing').set(ACTOR_HEADER, ACTORS.admin).expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  describe('Idempotency-Key', () => {
    it('is passed to the gateway', async () => {
      await modify().set('Idempotency-Key', 'key-1').send(change).expect(200);
      expect(api.gateway.calls[0].idempotencyKey).toBe('key-1');
    });

    it('given a retry with the same key, then the first answer, marked as a replay', async () => {
      const first = await modify().set('Idempotency-Key', 'key-2').send(change).expect(200);
      const again = await modify().set('Idempotency-Key', 'key-2').send(change).expect(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers['x-log-position']).toBe(first.headers['x-log-position']);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again.headers['idempotent-replayed']).toBe('true');
    });

    it.each([
      ['129 characters', 'k'.repeat(129)],
      ['a space', 'a key'],
    ])('given a key of %s, then 400 and nothing runs', async (_what, key) => {
      const res = await modify().set('Idempotency-Key', key).send(change).expect(400);
      expect(res.body.message).toMatch(/Idempotency-Key/);
      expect(api.gateway.calls).toHaveLength(0);
    });

    it('accepts 128 characters', async () => {
      await modify().set('Idempotency-Key', 'k'.repeat(128)).send(change).expect(200);
      expect(api.gateway.calls[0].idempotencyKey).toHaveLength(128);
    });
  });

  it('given a command with no event (position null), then no X-Log-Position and position null in the body', async () => {
    api.gateway.answerPosition = null;
    const res = await modify().send(change).expect(200);
    expect(res.headers['x-log-position']).toBeUndefined();
    expect(res.body.position).toBeNull();
  });
});

describe('rate limits', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi([{ ttl: 60_000, limit: 3 }]);
  });
  afterEach(() => api.app.close());

  it('given more requests than the limit, then 429 in the error shape', async () => {
    for (let i = 0; i < 3; i++) await request(api.server).get('/api/students').set(ACTOR_HEADER, ACTORS.admin).expect(200);
    const res = await request(api.server).get('/api/students').set(ACTOR_HEADER, ACTORS.admin).expect(429);
    expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  });
});
