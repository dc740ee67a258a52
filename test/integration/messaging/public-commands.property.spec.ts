import fc from 'fast-check';
import { ADMIN, type PublicNode, errorStatus, okData, startPublicNode } from './public-nats-support';

/** Per command subject: a valid body, its string and number fields, and who may send it. */
const SUBJECTS = {
  'cmd.users.create': {
    valid: { username: 'newbie', password: 'long-enough', role: 'teacher', displayName: 'N' },
    numbers: [],
    asTeacher: false,
  },
  'cmd.students.register': {
    valid: { studentId: 'p1', name: 'P', className: '7a', initialScore: 50 },
    numbers: ['initialScore'],
    asTeacher: false,
  },
  'cmd.scores.modify': { valid: { studentId: 's1', delta: 1, reason: 'r' }, numbers: ['delta'], asTeacher: false },
  'cmd.applications.submit': { valid: { studentId: 's1', delta: 1, reason: 'r' }, numbers: ['delta'], asTeacher: true },
  'cmd.applications.review': {
    valid: { applicationId: 'a1', decision: 'approve', comment: 'c' },
    numbers: [],
    asTeacher: false,
  },
} as const;
type Subject = keyof typeof SUBJECTS;

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const notAnInteger = fc.oneof(
  fc.string(),
  fc.double().filter((d) => !Number.isInteger(d)),
  fc.boolean(),
  fc.constant(null),
  fc.constant([1]),
);

/** A body that is never valid for `subject`: a field missing, of the wrong type, too long, an extra key, or not JSON at all. */
function invalidBody(subject: Subject): fc.Arbitrary<Uint8Array> {
  const { valid, numbers } = SUBJECTS[subject];
  const fields = Object.keys(valid);
  const strings = fields.filter((f) => !(numbers as readonly string[]).includes(f));
  const json = (body: unknown) => Buffer.from(JSON.stringify(body));
  return fc.oneof(
    fc
      .subarray(
        fields.filter((f) => f !== 'initialScore'),
        { minLength: 1 },
      )
      .map((drop) => json(Object.fromEntries(Object.entries(valid).filter(([k]) => !drop.includes(k))))),
    fc.tuple(fc.constantFrom(...strings), notAString).map(([field, value]) => json({ ...valid, [field]: value })),
    ...(numbers.length > 0
      ? [
          fc
            .tuple(fc.constantFrom(...numbers), notAnInteger)
            .map(([field, value]) => json({ ...valid, [field]: value })),
        ]
      : []),
    fc
      .tuple(fc.constantFrom(...strings), fc.integer({ min: 600, max: 40_000 }))
      .map(([field, size]) => json({ ...valid, [field]: 'x'.repeat(size) })),
    fc
      .tuple(
        fc
          .oneof(
            fc.constantFrom('__proto__', 'constructor', 'toString', 'extra', 'position'),
            fc.string({ minLength: 1 }),
          )
          .filter((k) => !fields.includes(k)),
        fc.jsonValue(),
      )
      .map(([key, value]) =>
        Buffer.from(
          JSON.stringify(valid).replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'},`),
        ),
      ),
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom('null', '[]', '"text"', '42', '{', '{"studentId":', '\u00ff\u00fe').map((s) => Buffer.from(s)),
  );
}

describe('public command subjects refuse any invalid body (property)', () => {
  let n: PublicNode;
  let admin: Record<string, string>;
  let teacher: Record<string, string>;

  beforeAll(async () => {
    n = await startPublicNode('prop');
    admin = { Authorization: `Bearer ${await n.login(ADMIN.username, ADMIN.password)}` };
    okData(
      await n.call(
        'cmd.users.create',
        { username: 'tina', password: 'teacher-pass', role: 'teacher', displayName: 'Tina' },
        admin,
      ),
    );
    okData(await n.call('cmd.students.register', { studentId: 's1', name: 'Ada', className: '7a' }, admin));
    teacher = { Authorization: `Bearer ${await n.login('tina', 'teacher-pass')}` };
  }, 60_000);

  afterAll(async () => {
    await n?.stop();
  });

  it.each(Object.keys(SUBJECTS) as Subject[])('%s: ok:false with a 4xx, nothing logged', async (subject) => {
    const before = await n.eventCount();
    const head = n.node.events.head;
    await fc.assert(
      fc.asyncProperty(invalidBody(subject), async (body) => {
        const reply = await n.call(subject, body, SUBJECTS[subject].asTeacher ? teacher : admin);
        const status = errorStatus(reply);
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
    expect(n.node.events.head).toBe(head);
    expect(await n.eventCount()).toBe(before);
  });

  it('deep nesting and nested prototype keys are a 400 on every command and query subject, never a 5xx', async () => {
    const head = n.node.events.head;
    const deepArrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const subjects = [
      'cmd.users.create', 'cmd.students.register', 'cmd.scores.modify', 'cmd.scores.batch', 'cmd.applications.submit',
      'cmd.applications.review', 'cmd.archives.start', 'query.students.get', 'query.students.list', 'query.students.records',
      'query.applications.list', 'query.sagas.get', 'query.events.read',
    ];
    const bodies = [
      `{"studentId":"s1","delta":1,"reason":${deepArrays(3000)}}`,
      `{"changes":[${deepObjects(2000)}],"reason":"r"}`,
      `{"changes":[{"constructor":{"prototype":{"polluted":1}},"studentId":"s1","delta":1}],"reason":"r"}`,
    ];
    for (const subject of subjects) {
      for (const body of bodies) {
        const reply = await n.call(subject, body, subject === 'cmd.applications.submit' ? teacher : admin);
        expect({ subject, body: body.slice(0, 40), status: errorStatus(reply) }).toEqual({ subject, body: body.slice(0, 40), status: 400 });
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(n.node.events.head).toBe(head);
  });

  it('a page past the first 10,000 rows is a 400 on every paged query subject', async () => {
    for (const [subject, body] of [
      ['query.students.list', { page: 1_000_000 }],
      ['query.students.records', { studentId: 's1', page: 101, pageSize: 100 }],
      ['query.applications.list', { page: 501 }],
    ] as const) {
      const reply = await n.call(subject, body, admin);
      expect({ subject, status: errorStatus(reply) }).toEqual({ subject, status: 400 });
      expect(JSON.stringify(reply)).toMatch(/page \* pageSize must be at most 10000/);
    }
    expect(okData(await n.call('query.students.list', { page: 500 }, admin))).toMatchObject({ page: 500, total: 1, totalCapped: false });
    // A position past every safe integer is bad input (400), not a read model that is behind (503).
    expect(errorStatus(await n.call('query.students.list', { minPosition: 1e20 }, admin))).toBe(400);
  });

  it('any body on a query subject is answered below 500 (fast-check)', async () => {
    const hostileNumber = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(1e20, -1e20, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, -0, 0.5),
      fc.string({ maxLength: 5 }),
      fc.constant(null),
    );
    const field = fc.constantFrom('page', 'pageSize', 'minPosition', 'fromPosition', 'limit', 'studentId', 'sagaId', 'className', 'status', '__proto__', 'constructor');
    const body = fc.dictionary(field, fc.oneof(hostileNumber, fc.constantFrom('s1', 'saga-1', '7a', 'pending')), { maxKeys: 4 });
    const subject = fc.constantFrom('query.students.get', 'query.students.list', 'query.students.records', 'query.applications.list', 'query.sagas.get', 'query.events.read');
    await fc.assert(
      fc.asyncProperty(subject, body, async (s, b) => {
        // A valid position the read models have not reached waits, then answers 503 by design (API.md).
        const position = (b as Record<string, unknown>).minPosition;
        fc.pre(!(Number.isSafeInteger(position) && (position as number) > 0));
        const reply = await n.call(s, JSON.stringify(b), admin);
        if (!reply.ok) expect(reply.error.statusCode).toBeLessThan(500);
      }),
      {
        numRuns: 150,
        examples: [
          ['query.events.read', { fromPosition: 1e20 }],
          ['query.events.read', { fromPosition: Number.MAX_SAFE_INTEGER, limit: 1000 }],
          ['query.students.records', { studentId: 's1', minPosition: Number.MAX_SAFE_INTEGER + 2 }],
          ['query.students.list', { page: 1e20, pageSize: 100 }],
          ['query.sagas.get', { sagaId: 'saga-1', minPosition: 1e308 }],
        ],
      },
    );
  });
});
