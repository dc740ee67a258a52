import { scopedCommandId } from '../../src/application/idempotency';
import { localAdminEnv } from '../../src/cluster/node-process';
import { E2eCluster, expectHiddenLikeUnknown, randomToken, waitFor } from './cluster-harness';

/**
 * The REST API over real HTTP against one real 3-node cluster: login, the flow of docs/api.md across
 * nodes (read-your-writes with X-Min-Position), roles, BOLA, error codes, idempotency and
 * concurrent writes spread over every node.
 */

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 15_000;

describe('REST API on a 3-node cluster', () => {
  let cluster: E2eCluster;
  let ports: number[] = [];
  const run = randomToken();
  const admin = localAdminEnv();
  let adminToken = '';

  /** One HTTP call to node `node` (0..2). */
  async function call(node: number, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${ports[node]}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Expects `status`, quoting the answer when it differs. */
  function expectStatus(answer: Answer, status: number): Answer {
    if (answer.status !== status) {
      throw new Error(`expected HTTP ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer;
  }

  /** Logs in on `node`, retrying while the user is not yet applied there. */
  async function login(node: number, username: string, password: string): Promise<string> {
    let token = '';
    let last: Answer | null = null;
    await waitFor(
      `login of ${username} on node ${node}`,
      async () => {
        last = await call(node, 'POST', '/api/auth/login', { body: { username, password } });
        if (last.status === 200) token = String(last.body.accessToken);
        return last.status === 200;
      },
      20_000,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last answer ${JSON.stringify(last)}`);
    });
    return token;
  }

  function position(answer: Answer): number {
    const value = answer.body.position;
    expect(typeof value).toBe('number');
    expect(answer.headers.get('x-log-position')).toBe(String(value));
    return value as number;
  }

  async function registerStudent(studentId: string, initialScore?: number): Promise<number> {
    const answer = expectStatus(
      await call(0, 'POST', '/api/students', {
        token: adminToken,
        body: { studentId, name: `Student ${studentId}`, className: '7a', ...(initialScore === undefined ? {} : { initialScore }) },
      }),
      201,
    );
    return position(answer);
  }

  async function createUser(username: string, password: string, role: string, studentId?: string): Promise<number> {
    const answer = expectStatus(
      await call(1, 'POST', '/api/users', {
        token: adminToken,
        body: { username, password, role, displayName: `User ${username}`, ...(studentId === undefined ? {} : { studentId }) },
      }),
      201,
    );
    return position(answer);
  }

  async function scoreOf(node: number, studentId: string, minPosition: number): Promise<number> {
    const answer = expectStatus(
      await call(node, 'GET', `/api/students/${studentId}`, {
        token: adminToken,
        headers: { 'X-Min-Position': String(minPosition) },
      }),
      200,
    );
    return answer.body.score as number;
  }

  // Fixture shared by the tests below (created in beforeAll).
  const ada = `ada-${run}`;
  const bob = `bob-${run}`;
  const teacherName = `tina-${run}`;
  const clubName = `chess-${run}`;
  const studentUserName = `ada-user-${run}`;
  const teacherPassword = 'teacher-password';
  const clubPassword = 'club-password';
  const studentPassword = 'student-password';
  let teacherToken = '';
  let clubToken = '';
  let studentToken = '';
  /** The log position of the last fixture write (reads of the fixture wait for it). */
  let fixturePosition = 0;

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'restapi' });
    ports = cluster.ids.map((id) => {
      const port = cluster.port(id);
      if (port === null) throw new Error(`${id} has no HTTP port`);
      return port;
    });
    await cluster.waitForLeader();
    adminToken = await login(0, admin.ADMIN_USERNAME, admin.ADMIN_PASSWORD);
    await registerStudent(ada);
    fixturePosition = await registerStudent(bob);
    await createUser(teacherName, teacherPassword, 'teacher');
    await createUser(clubName, clubPassword, 'club');
    fixturePosition = Math.max(fixturePosition, await createUser(studentUserName, studentPassword, 'student', ada));
    [teacherToken, clubToken, studentToken] = await Promise.all([
      login(1, teacherName, teacherPassword),
      login(2, clubName, clubPassword),
      login(2, studentUserName, studentPassword),
    ]);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  describe('login and tokens', () => {
    it('logs the admin in (200) and refuses a wrong password (401)', async () => {
      const ok = expectStatus(
        await call(1, 'POST', '/api/auth/login', { body: { username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD } }),
        200,
      );
      expect(typeof ok.body.accessToken).toBe('string');
      expect(ok.body.role).toBe('admin');
      const bad = expectStatus(
        await call(2, 'POST', '/api/auth/login', { body: { username: admin.ADMIN_USERNAME, password: 'wrong-password' } }),
        401,
      );
      expect(bad.body.statusCode).toBe(401);
      expect(bad.body).not.toHaveProperty('accessToken');
    });

    it('answers 401 to a request without a token or with a bad one', async () => {
      expectStatus(await call(0, 'GET', '/api/students'), 401);
      expectStatus(await call(1, 'GET', '/api/students', { token: 'not-a-jwt' }), 401);
      // A well-formed token with a broken signature.
      const [head, payload] = adminToken.split('.');
      expectStatus(await call(2, 'GET', '/api/students', { token: `${head}.${payload}.AAAA` }), 401);
    });
  });

  it('the docs/api.md flow: a teacher applies on one node, the admin approves on another, a third reads it', async () => {
    const studentId = `flow-${run}`;
    await registerStudent(studentId);
    const submitted = expectStatus(
      await call(1, 'POST', '/api/applications', {
        token: teacherToken,
        body: { studentId, delta: 10, reason: 'won the maths olympiad' },
      }),
      201,
    );
    expect(submitted.body.status).toBe('pending');
    const applicationId = String(submitted.body.applicationId);
    position(submitted);

    const reviewed = expectStatus(
      await call(0, 'POST', `/api/applications/${applicationId}/review`, {
        token: adminToken,
        body: { decision: 'approve', comment: 'well done' },
      }),
      200,
    );
    expect(reviewed.body).toMatchObject({ applicationId, status: 'approved', score: 110 });
    const reviewPosition = position(reviewed);

    const minPosition = { 'X-Min-Position': String(reviewPosition) };
    const student = expectStatus(
      await call(2, 'GET', `/api/students/${studentId}`, { token: adminToken, headers: minPosition }),
      200,
    );
    expect(student.body).toMatchObject({ studentId, className: '7a', score: 110 });
    expect(student.body.position as number).toBeGreaterThanOrEqual(reviewPosition);

    const records = expectStatus(
      await call(2, 'GET', `/api/students/${studentId}/records`, { token: adminToken, headers: minPosition }),
      200,
    );
    const items = records.body.items as Array<Record<string, unknown>>;
    expect(items[0]).toMatchObject({ position: reviewPosition, delta: 10, source: 'application', newScore: 110 });

    // The application itself, read on the third node, is approved.
    const application = expectStatus(
      await call(2, 'GET', `/api/applications/${applicationId}`, { token: adminToken, headers: minPosition }),
      200,
    );
    expect(application.body.status).toBe('approved');
  });

  describe('roles', () => {
    it('a teacher may not modify scores directly (403)', async () => {
      expectStatus(
        await call(1, 'POST', '/api/scores/modify', { token: teacherToken, body: { studentId: ada, delta: 1, reason: 'nope' } }),
        403,
      );
    });

    it('a student may not list students (403)', async () => {
      expectStatus(await call(2, 'GET', '/api/students', { token: studentToken }), 403);
    });

    it('only admins review (403 for a teacher)', async () => {
      const submitted = expectStatus(
        await call(0, 'POST', '/api/applications', { token: teacherToken, body: { studentId: bob, delta: 2, reason: 'helped' } }),
        201,
      );
      expectStatus(
        await call(1, 'POST', `/api/applications/${String(submitted.body.applicationId)}/review`, {
          token: teacherToken,
          body: { decision: 'approve', comment: 'self-approval' },
        }),
        403,
      );
    });

    it("a teacher lists only their own applications; a club's is invisible to them (404)", async () => {
      const own = expectStatus(
        await call(1, 'POST', '/api/applications', { token: teacherToken, body: { studentId: ada, delta: 3, reason: 'tidy desk' } }),
        201,
      );
      const club = expectStatus(
        await call(2, 'POST', '/api/applications', { token: clubToken, body: { studentId: ada, delta: 4, reason: 'chess win' } }),
        201,
      );
      const ownId = String(own.body.applicationId);
      const clubId = String(club.body.applicationId);
      const after = { 'X-Min-Position': String(Math.max(position(own), position(club))) };

      const list = expectStatus(
        await call(0, 'GET', '/api/applications?pageSize=100', { token: teacherToken, headers: after }),
        200,
      );
      const items = list.body.items as Array<Record<string, unknown>>;
      expect(items.length).toBeGreaterThan(0);
      expect(items.map((a) => a.applicationId)).toContain(ownId);
      expect(items.map((a) => a.applicationId)).not.toContain(clubId);
      for (const item of items) expect(item.submittedBy).toBe(teacherName);

      // The admin sees both.
      const all = expectStatus(await call(1, 'GET', '/api/applications?pageSize=100', { token: adminToken, headers: after }), 200);
      const allIds = (all.body.items as Array<Record<string, unknown>>).map((a) => a.applicationId);
      expect(allIds).toEqual(expect.arrayContaining([ownId, clubId]));

      // Someone else's application looks exactly like one that does not exist.
      const unknownId = `${clubId.slice(0, -4)}${clubId.endsWith('0000') ? 'ffff' : '0000'}`;
      expectHiddenLikeUnknown(
        await call(2, 'GET', `/api/applications/${clubId}`, { token: teacherToken, headers: after }),
        await call(2, 'GET', `/api/applications/${unknownId}`, { token: teacherToken, headers: after }),
        clubId,
        unknownId,
      );
      expectStatus(await call(2, 'GET', `/api/applications/${ownId}`, { token: teacherToken, headers: after }), 200);
    });
  });

  describe('BOLA', () => {
    it("a student reads their own details and records (200); another student's look exactly like an unknown id (404)", async () => {
      const options = { token: studentToken, headers: { 'X-Min-Position': String(fixturePosition) } };
      const own = expectStatus(await call(0, 'GET', `/api/students/${ada}`, options), 200);
      expect(own.body.studentId).toBe(ada);
      expectStatus(await call(1, 'GET', `/api/students/${ada}/records`, options), 200);
      // Bob exists (an admin reads him on that node), yet Ada's student user may not read him.
      expectStatus(await call(2, 'GET', `/api/students/${bob}`, { ...options, token: adminToken }), 200);
      const nobody = `nobody-${run}`;
      for (const node of [0, 1, 2]) {
        expectHiddenLikeUnknown(await call(node, 'GET', `/api/students/${bob}`, options), await call(node, 'GET', `/api/students/${nobody}`, options), bob, nobody);
        expectHiddenLikeUnknown(
          await call(node, 'GET', `/api/students/${bob}/records`, options),
          await call(node, 'GET', `/api/students/${nobody}/records`, options),
          bob,
          nobody,
        );
      }
    });

    it("another actor's command looks exactly like an unknown command id (404)", async () => {
      const key = `bola-reg-${run}`;
      const registered = expectStatus(
        await call(0, 'POST', '/api/students', {
          token: adminToken,
          body: { studentId: `bola-${run}`, name: 'Student Bola', className: '7a' },
          headers: { 'Idempotency-Key': key },
        }),
        201,
      );
      const after = { 'X-Min-Position': String(position(registered)) };
      // The admin sees it applied on every node; the student and the teacher see nothing there.
      for (const node of [0, 1, 2]) {
        await waitFor(`${key} applied on node ${node}`, async () => (await call(node, 'GET', `/api/commands/${key}`, { token: adminToken })).status === 200, 20_000, 100);
      }
      const unknownKey = `bola-unknown-${run}`;
      for (const token of [studentToken, teacherToken]) {
        for (const node of [0, 1, 2]) {
          expectHiddenLikeUnknown(
            await call(node, 'GET', `/api/commands/${key}`, { token, headers: after }),
            await call(node, 'GET', `/api/commands/${unknownKey}`, { token, headers: after }),
            key,
            unknownKey,
          );
        }
      }
    });
  });

  describe('error codes', () => {
    it('400 with details for an unknown field and for a wrong type', async () => {
      const unknown = expectStatus(
        await call(0, 'POST', '/api/scores/modify', {
          token: adminToken,
          body: { studentId: ada, delta: 1, reason: 'x', extra: true },
        }),
        400,
      );
      expect(unknown.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(unknown.body.details)).toContain('extra');

      const wrongType = expectStatus(
        await call(1, 'POST', '/api/scores/modify', { token: adminToken, body: { studentId: ada, delta: 'five', reason: 'x' } }),
        400,
      );
      expect(Array.isArray(wrongType.body.details)).toBe(true);
      expect(JSON.stringify(wrongType.body.details)).toContain('delta');
    });

    it('400 in the error shape for a body that is not valid JSON', async () => {
      const answer = expectStatus(await call(2, 'POST', '/api/scores/modify', { token: adminToken, rawBody: '{"studentId": "x",' }), 400);
      expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
    });

    it('404 for an unknown student', async () => {
      const answer = expectStatus(await call(2, 'GET', `/api/students/nobody-${run}`, { token: adminToken }), 404);
      expect(answer.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('409 for a second review', async () => {
      const submitted = expectStatus(
        await call(1, 'POST', '/api/applications', { token: teacherToken, body: { studentId: bob, delta: -1, reason: 'late' } }),
        201,
      );
      const path = `/api/applications/${String(submitted.body.applicationId)}/review`;
      expectStatus(await call(0, 'POST', path, { token: adminToken, body: { decision: 'reject', comment: 'no' } }), 200);
      const second = expectStatus(
        await call(2, 'POST', path, { token: adminToken, body: { decision: 'approve', comment: 'changed my mind' } }),
        409,
      );
      expect(second.body.statusCode).toBe(409);
    });

    it('422 for a score change that leaves 0..200', async () => {
      const answer = expectStatus(
        await call(0, 'POST', '/api/scores/modify', { token: adminToken, body: { studentId: bob, delta: 500, reason: 'too much' } }),
        422,
      );
      expect(answer.body.statusCode).toBe(422);
    });

    it('422 at submission for an application whose delta no score in 0..200 could take', async () => {
      const answer = expectStatus(
        await call(1, 'POST', '/api/applications', { token: teacherToken, body: { studentId: bob, delta: 500, reason: 'too much' } }),
        422,
      );
      expect(answer.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
      expect(String(answer.body.message)).toMatch(/can never fit the allowed range 0\.\.200/);
    });

    it('413 for a body over 16 kB', async () => {
      const answer = expectStatus(
        await call(1, 'POST', '/api/scores/modify', {
          token: adminToken,
          rawBody: JSON.stringify({ studentId: ada, delta: 1, reason: 'x'.repeat(17 * 1024) }),
        }),
        413,
      );
      expect(answer.body.statusCode).toBe(413);
    });
  });

  it('the same Idempotency-Key twice answers the same position and changes the score once', async () => {
    const studentId = `idem-${run}`;
    const registered = await registerStudent(studentId, 50);
    const key = `idem-key-${run}`;
    const request = { token: adminToken, body: { studentId, delta: 5, reason: 'retry me' }, headers: { 'Idempotency-Key': key } };
    const first = expectStatus(await call(0, 'POST', '/api/scores/modify', request), 200);
    const second = expectStatus(await call(2, 'POST', '/api/scores/modify', request), 200);
    expect(position(second)).toBe(position(first));
    expect(position(first)).toBeGreaterThan(registered);
    expect(await scoreOf(1, studentId, position(second))).toBe(55);
    // and GET /api/commands/:key tells its actor (any node) that it applied there, and nobody else
    const status = expectStatus(await call(1, 'GET', `/api/commands/${key}`, { token: adminToken }), 200);
    expect(status.body).toMatchObject({ commandId: scopedCommandId(admin.ADMIN_USERNAME, key), idempotencyKey: key, status: 'applied', position: position(first) });
    expectStatus(await call(1, 'GET', `/api/commands/${key}`, { token: teacherToken }), 404);
    expectStatus(await call(1, 'GET', `/api/commands/no-such-command-${run}`, { token: adminToken }), 404);
  });

  // A refused command keeps its key; the last test retries it again after the leader changed.
  const refusedKey = `refused-key-${run}`;
  const refusedStudent = `refused-${run}`;
  let firstRefusal: Record<string, unknown> = {};

  it('a refused command keeps its Idempotency-Key: a retry answers the first refusal, another body is 422 for reusing the key', async () => {
    const registered = await registerStudent(refusedStudent, 150);
    const headers = { 'Idempotency-Key': refusedKey };
    const refused = expectStatus(
      await call(1, 'POST', '/api/scores/modify', { token: adminToken, headers, body: { studentId: refusedStudent, delta: 60, reason: 'too much' } }),
      422,
    );
    firstRefusal = refused.body;
    expect(firstRefusal).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
    // The same request on another node: the first refusal.
    const retried = expectStatus(
      await call(2, 'POST', '/api/scores/modify', { token: adminToken, headers, body: { studentId: refusedStudent, delta: 60, reason: 'too much' } }),
      422,
    );
    expect(retried.body).toEqual(firstRefusal);
    // The same key with a body that would apply: 422 for reusing the key, nothing changes.
    const reused = expectStatus(
      await call(2, 'POST', '/api/scores/modify', { token: adminToken, headers, body: { studentId: refusedStudent, delta: 1, reason: 'fixed' } }),
      422,
    );
    expect(reused.body).toMatchObject({ statusCode: 422, message: expect.stringMatching(/Idempotency-Key/) });
    expect(await scoreOf(0, refusedStudent, registered)).toBe(150);
    const status = expectStatus(await call(0, 'GET', `/api/commands/${refusedKey}`, { token: adminToken }), 200);
    expect(status.body).toEqual({ commandId: scopedCommandId(admin.ADMIN_USERNAME, refusedKey), idempotencyKey: refusedKey, status: 'rejected', reason: firstRefusal.message, statusCode: 422 });
    expectStatus(await call(0, 'GET', `/api/commands/${refusedKey}`, { token: teacherToken }), 404);
    // A role refusal is not a command: its key stays unknown.
    const roleKey = `role-key-${run}`;
    expectStatus(
      await call(1, 'POST', '/api/scores/modify', {
        token: teacherToken,
        headers: { 'Idempotency-Key': roleKey },
        body: { studentId: refusedStudent, delta: 1, reason: 'nope' },
      }),
      403,
    );
    expectStatus(await call(1, 'GET', `/api/commands/${roleKey}`, { token: adminToken }), 404);
  });

  it('50 concurrent +1 changes over all three nodes: 50 distinct positions and exactly +50', async () => {
    const studentId = `conc-${run}`;
    const initial = 100;
    const registered = await registerStudent(studentId, initial);
    expect(await scoreOf(0, studentId, registered)).toBe(initial);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(i % 3, 'POST', '/api/scores/modify', { token: adminToken, body: { studentId, delta: 1, reason: `plus one #${i}` } }),
      ),
    );
    const refused = answers.filter((a) => a.status < 200 || a.status > 299);
    expect(refused.map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    const positions = answers.map((a) => position(a));
    expect(new Set(positions).size).toBe(50);
    const last = Math.max(...positions);
    for (let node = 0; node < 3; node++) expect(await scoreOf(node, studentId, last)).toBe(initial + 50);
  });

  // Last: it stops the leader.
  it('after the leader changes, the refused key still answers the first refusal', async () => {
    expect(firstRefusal.statusCode).toBe(422);
    const oldLeader = await cluster.waitForLeader();
    await cluster.stopNode(oldLeader);
    const survivors = cluster.ids.filter((id) => id !== oldLeader);
    const newLeader = await cluster.waitForLeader(20_000, survivors);
    expect(newLeader).not.toBe(oldLeader);
    const node = cluster.ids.indexOf(newLeader);
    const retried = await call(node, 'POST', '/api/scores/modify', {
      token: adminToken,
      headers: { 'Idempotency-Key': refusedKey },
      body: { studentId: refusedStudent, delta: 60, reason: 'too much' },
    });
    expect(retried.status).toBe(422);
    expect(retried.body).toEqual(firstRefusal);
    const status = expectStatus(await call(node, 'GET', `/api/commands/${refusedKey}`, { token: adminToken }), 200);
    expect(status.body).toMatchObject({ status: 'rejected', statusCode: 422 });
  }, 60_000);
});
