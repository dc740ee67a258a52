import fc from 'fast-check';
import request from 'supertest';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

/** What a field must be; each kind knows values that are certainly not that. */
type Kind = 'id' | 'username' | 'text' | 'password' | 'role' | 'decision' | 'int' | 'bool';

interface WriteEndpoint {
  readonly method: 'post' | 'patch';
  readonly path: string;
  readonly actor: string;
  readonly valid: Record<string, unknown>;
  readonly kinds: Record<string, Kind>;
  /** Fields whose absence alone makes the body invalid. */
  readonly required: string[];
}

const ENDPOINTS: WriteEndpoint[] = [
  {
    method: 'post', path: '/api/users', actor: ACTORS.admin,
    valid: { username: 'kim', password: 'correct horse', role: 'teacher', displayName: 'Ms Kim' },
    kinds: { username: 'username', password: 'password', role: 'role', displayName: 'text', studentId: 'id' },
    required: ['username', 'password', 'role', 'displayName'],
  },
  { method: 'patch', path: '/api/users/tina', actor: ACTORS.admin, valid: { role: 'club', disabled: true }, kinds: { role: 'role', disabled: 'bool' }, required: [] },
  {
    method: 'post', path: '/api/students', actor: ACTORS.admin,
    valid: { studentId: 's-9', name: 'Ada', className: '7A', initialScore: 100 },
    kinds: { studentId: 'id', name: 'text', className: 'text', initialScore: 'int' },
    required: ['studentId', 'name', 'className'],
  },
  { method: 'patch', path: '/api/students/s-1', actor: ACTORS.admin, valid: { name: 'Ada', className: '7A' }, kinds: { name: 'text', className: 'text' }, required: [] },
  {
    method: 'post', path: '/api/scores/modify', actor: ACTORS.admin,
    valid: { studentId: 's-1', delta: -5, reason: 'late' }, kinds: { studentId: 'id', delta: 'int', reason: 'text' },
    required: ['studentId', 'delta', 'reason'],
  },
  {
    method: 'post', path: '/api/applications', actor: ACTORS.teacher,
    valid: { studentId: 's-1', delta: 3, reason: 'helped' }, kinds: { studentId: 'id', delta: 'int', reason: 'text' },
    required: ['studentId', 'delta', 'reason'],
  },
  {
    method: 'post', path: '/api/applications/app-1/review', actor: ACTORS.admin,
    valid: { decision: 'approve', comment: 'ok' }, kinds: { decision: 'decision', comment: 'text' },
    required: ['decision', 'comment'],
  },
];

const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }));
const notNumber = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }));
const notAnInteger = fc.double().filter((d) => !Number.isInteger(d));

/** A value that is never valid for the kind (JSON-representable, never undefined). */
function wrongValue(kind: Kind): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'int':
      return fc.oneof(notNumber, notAnInteger, fc.integer({ min: 1001, max: 1_000_000_000 }), fc.integer({ min: -1_000_000_000, max: -1001 }));
    case 'bool':
      return fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant('true'));
    case 'role':
      return fc.oneof(notString, fc.string().filter((s) => !['admin', 'teacher', 'club', 'student'].includes(s)));
    case 'decision':
      return fc.oneof(notString, fc.string().filter((s) => s !== 'approve' && s !== 'reject'));
    case 'password':
      return fc.oneof(notString, fc.string({ maxLength: 7 }));
    case 'id':
      return fc.oneof(notString, fc.constant(''), fc.string({ minLength: 1, maxLength: 5 }).map((s) => `${s}/`), fc.constant('x'.repeat(65)));
    case 'username':
      return fc.oneof(notString, fc.constant('ab'), fc.string({ minLength: 1, maxLength: 5 }).map((s) => `A${s}`));
    case 'text':
      return fc.oneof(notString, fc.constant(''), fc.constantFrom(' ', '\t\n'));
  }
}

/** A body that breaks at least one rule: wrong type, missing field, extra field or huge string. */
function badBody(endpoint: WriteEndpoint): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.keys(endpoint.kinds);
  const wrongType = fc.constantFrom(...fields).chain((field) =>
    wrongValue(endpoint.kinds[field]).map((value) => ({ ...endpoint.valid, [field]: value })),
  );
  const extra = fc
    .tuple(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('toString', 'constructor', '__proto__', 'valueOf')).filter((k) => !fields.includes(k)), fc.jsonValue())
    .map(([key, value]) => ({ ...endpoint.valid, [key]: value }));
  const textFields = fields.filter((f) => ['text', 'id', 'username', 'password'].includes(endpoint.kinds[f]));
  const hugeField = fc.constantFrom(...(textFields.length > 0 ? textFields : ['padding']));
  const huge = fc
    .tuple(hugeField, fc.integer({ min: 501, max: 40_000 }), fc.string({ minLength: 1, maxLength: 1 }))
    .map(([field, length, ch]) => ({ ...endpoint.valid, [field]: ch.repeat(length) }));
  const missing =
    endpoint.required.length > 0
      ? fc.subarray(endpoint.required, { minLength: 1 }).map((gone) => Object.fromEntries(Object.entries(endpoint.valid).filter(([k]) => !gone.includes(k))))
      : fc.constant({});
  return fc.oneof(wrongType, extra, huge, missing);
}

/** Raw text that is not a JSON object: broken JSON, JSON scalars, or anything at all. */
const wrongJson = fc.oneof(
  fc.constantFrom('{', '{"a":', "{'a': 1}", '{"a": 1,}', 'nul', '[1, 2', '"text"', '42', 'true', 'null', '[]', '[{}]'),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)).filter((s) => !s.startsWith('{')),
);

describe('bad input to every write endpoint (fast-check)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.app.close());

  const send = (endpoint: WriteEndpoint) => request(api.server)[endpoint.method](endpoint.path).set(ACTOR_HEADER, endpoint.actor);

  it.each(ENDPOINTS.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s: the valid body is accepted (so refusals below are about the input)',
    async (_name, endpoint) => {
      const res = await send(endpoint).send(endpoint.valid);
      expect(res.status).toBeLessThan(300);
    },
  );

  it.each(ENDPOINTS.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s: a wrong, missing, extra or huge field is a 4xx and never reaches the gateway',
    async (_name, endpoint) => {
      await fc.assert(
        fc.asyncProperty(badBody(endpoint), async (body) => {
          const before = api.gateway.calls.length;
          const res = await send(endpoint).send(body);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
          expect(api.gateway.calls.length).toBe(before);
        }),
        { numRuns: 80 },
      );
    },
  );

  it.each(ENDPOINTS.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s: wrong JSON (or no JSON object) is a 4xx and never reaches the gateway',
    async (_name, endpoint) => {
      await fc.assert(
        fc.asyncProperty(wrongJson, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (raw, type) => {
          const before = api.gateway.calls.length;
          const res = await send(endpoint).set('Content-Type', type).send(raw);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(api.gateway.calls.length).toBe(before);
        }),
        { numRuns: 60 },
      );
    },
  );

  it('random JSON values of any shape are a 4xx on every write endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), fc.jsonValue({ maxDepth: 3 }), async (endpoint, body) => {
        const before = api.gateway.calls.length;
        const res = await send(endpoint).set('Content-Type', 'application/json').send(JSON.stringify(body));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(api.gateway.calls.length).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
