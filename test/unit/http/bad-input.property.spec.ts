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
  {
    method: 'post', path: '/api/scores/batch', actor: ACTORS.admin,
    valid: { changes: [{ studentId: 's-1', delta: 2 }], reason: 'sports day' }, kinds: { reason: 'text' },
    required: ['changes', 'reason'],
  },
  { method: 'post', path: '/api/archives', actor: ACTORS.admin, valid: { semester: '2025-fall' }, kinds: { semester: 'id', className: 'text' }, required: ['semester'] },
];

/** Every write route of the API, with or without a body of its own (a saga retry has none). */
const WRITE_ROUTES: { method: 'post' | 'patch'; path: string; actor: string }[] = [
  ...ENDPOINTS,
  { method: 'post', path: '/api/sagas/saga-1/retry', actor: ACTORS.admin },
];

/** Every query route, with the query fields it knows. */
const QUERY_ROUTES: { path: string; actor: string; fields: string[] }[] = [
  { path: '/api/students', actor: ACTORS.admin, fields: ['className', 'page', 'pageSize', 'minPosition'] },
  { path: '/api/students/s-1', actor: ACTORS.student, fields: ['minPosition'] },
  { path: '/api/students/s-1/records', actor: ACTORS.student, fields: ['page', 'pageSize', 'minPosition'] },
  { path: '/api/applications', actor: ACTORS.teacher, fields: ['status', 'page', 'pageSize', 'minPosition'] },
  { path: '/api/applications/app-1', actor: ACTORS.admin, fields: ['minPosition'] },
  { path: '/api/archives', actor: ACTORS.admin, fields: ['semester', 'page', 'pageSize', 'minPosition'] },
  { path: '/api/archives/2025-fall/students/s-1', actor: ACTORS.admin, fields: ['minPosition'] },
  { path: '/api/users/tina', actor: ACTORS.admin, fields: ['minPosition'] },
  { path: '/api/sagas/saga-1', actor: ACTORS.admin, fields: ['minPosition'] },
];

/** Arrays or objects nested `depth` levels around a scalar, as raw JSON text (built without recursion). */
function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Raw JSON bodies built to hurt: deep nesting anywhere, numbers past every range, prototype keys at any level. */
const hostileJson = fc.oneof(
  fc.tuple(fc.integer({ min: 17, max: 5000 }), fc.constantFrom<'array' | 'object'>('array', 'object'), fc.constantFrom('studentId', 'delta', 'reason', 'changes', 'x'))
    .map(([depth, kind, field]) => `{"${field}":${nested(depth, kind)},"reason":"r"}`),
  fc.tuple(fc.integer({ min: 17, max: 3000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([depth, kind]) => nested(depth, kind)),
  fc.integer({ min: 14, max: 2000 }).map((depth) => `{"changes":[${'{"studentId":'.repeat(depth)}"s-1"${'}'.repeat(depth)}],"reason":"r"}`),
  fc.constantFrom('1e400', '-1e400', '1e308', '18446744073709551616', '9007199254740993', '0.0000001', '123456789012345678901234567890')
    .chain((n) => fc.constantFrom(`{"studentId":"s-1","delta":${n},"reason":"r"}`, `{"studentId":"s-1","name":"A","className":"7A","initialScore":${n}}`, `{"changes":[{"studentId":"s-1","delta":${n}}],"reason":"r"}`)),
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), fc.jsonValue({ maxDepth: 2 }))
    .chain(([key, value]) => fc.constantFrom(
      `{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'},"studentId":"s-1","delta":1,"reason":"r"}`,
      `{"changes":[{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'},"studentId":"s-1","delta":1}],"reason":"r"}`,
      `{"__proto__":{"isAdmin":true,"role":"admin"},"studentId":"s-1","delta":1,"reason":"r"}`,
      `{"constructor":{"prototype":{"polluted":1}},"semester":"2025-fall"}`,
    )),
);

/** Query strings built to hurt: nested brackets, repeated keys, numbers past every range, prototype keys. */
const hostileQuery = (fields: string[]) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...fields, 'x', '__proto__', 'constructor'), fc.integer({ min: 1, max: 40 })).map(([f, depth]) => `${f}${'[a]'.repeat(depth)}=1`),
    fc.tuple(fc.constantFrom(...fields), fc.constantFrom('1e400', '-1', '0', '1.5', 'NaN', 'Infinity', '18446744073709551616', '', '%00', '[]', 'true'))
      .map(([f, v]) => `${f}=${encodeURIComponent(v)}`),
    fc.constantFrom(...fields).map((f) => `${f}=1&${f}=2`),
    fc.constantFrom('__proto__[polluted]=1', 'constructor[prototype][polluted]=1', 'page[__proto__]=1', 'toString=1'),
    fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s).replace(/%3D/g, '=').replace(/%26/g, '&')),
  );

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

  it.each(WRITE_ROUTES.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s: deep nesting, huge numbers and prototype keys are a 4xx (never a 5xx) and never reach the gateway',
    async (_name, route) => {
      await fc.assert(
        fc.asyncProperty(hostileJson, async (raw) => {
          const before = api.gateway.calls.length;
          const res = await request(api.server)[route.method](route.path).set(ACTOR_HEADER, route.actor).set('Content-Type', 'application/json').send(raw);
          expect(res.status).toBeLessThan(500);
          // A saga retry takes no body: whatever is sent is ignored, so it may be accepted.
          if (route.path.endsWith('/retry')) return;
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(api.gateway.calls.length).toBe(before);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
        }),
        { numRuns: 60 },
      );
    },
  );

  it('3,000 nested arrays to /api/scores/modify and nested objects to /api/scores/batch are a 400 that says why', async () => {
    const modify = await send(ENDPOINTS[4]).set('Content-Type', 'application/json').send(nested(3000, 'array'));
    expect(modify.status).toBe(400);
    expect(modify.body.message).toMatch(/nested too deeply/);
    const batch = await request(api.server).post('/api/scores/batch').set(ACTOR_HEADER, ACTORS.admin).set('Content-Type', 'application/json')
      .send(`{"changes":[${nested(3000, 'object')}],"reason":"r"}`);
    expect(batch.status).toBe(400);
    expect(batch.body.message).toMatch(/nested too deeply/);
  });

  it.each(QUERY_ROUTES.map((r) => [r.path, r] as const))('GET %s: any query string is answered below 500', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(hostileQuery(route.fields), async (query) => {
        const res = await request(api.server).get(`${route.path}?${query}`).set(ACTOR_HEADER, route.actor);
        expect(res.status).toBeLessThan(500);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

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
