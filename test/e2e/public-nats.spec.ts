import type { NatsConnection } from 'nats';
import { scopedCommandId } from '../../src/application/idempotency';
import { localAdminEnv } from '../../src/cluster/node-process';
import type { PublicReply } from '../../src/messaging/public';
import { errorStatus, okData, requestPublic } from '../integration/messaging/public-nats-support';
import { E2eCluster, expectHiddenLikeUnknown, randomToken, waitFor } from './cluster-harness';

/**
 * The flow of docs/api.md over the public NATS subjects of a real 3-node cluster (any node answers, queue
 * group): register a student, a teacher submits, the admin approves, the student and records read
 * back at the answered position, an idempotent retry; then a role refusal and a BOLA refusal.
 * Tokens come from REST login, as a client would get them.
 */
describe('public NATS subjects on a 3-node cluster', () => {
  const run = randomToken();
  const prefix = `pub${run}`;
  const admin = localAdminEnv();
  let cluster: E2eCluster;
  let nats: NatsConnection;
  let adminAuth: Record<string, string> = {};

  /** One request on `<prefix>.<subject>`. */
  const call = (subject: string, body: unknown, headers: Record<string, string> = {}): Promise<PublicReply> =>
    requestPublic(nats, `${prefix}.${subject}`, body, headers, 15_000);

  /** Logs in over REST on node `index`, retrying while the user is not yet applied there. */
  async function login(index: number, username: string, password: string): Promise<Record<string, string>> {
    const port = cluster.port(cluster.ids[index]);
    let token = '';
    await waitFor(
      `login of ${username} on ${cluster.ids[index]}`,
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username, password }),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status !== 200) return false;
        token = String(((await response.json()) as { accessToken: unknown }).accessToken);
        return true;
      },
      20_000,
      100,
    );
    return { Authorization: `Bearer ${token}` };
  }

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'pubnats', env: { API_SUBJECT_PREFIX: prefix } });
    await cluster.waitForLeader();
    nats = (await cluster.appendClient()).nc;
    adminAuth = await login(0, admin.ADMIN_USERNAME, admin.ADMIN_PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('the docs/api.md flow over NATS: register, submit, approve, read with the position; a retry answers the first result', async () => {
    const studentId = `flow-${run}`;
    const registered = await call('cmd.students.register', { studentId, name: 'Ada Lovelace', className: '7a' }, adminAuth);
    expect(okData(registered)).toMatchObject({ studentId, score: 100, position: expect.any(Number) as unknown });
    okData(
      await call(
        'cmd.users.create',
        { username: `tina-${run}`, password: 'teacher-password', role: 'teacher', displayName: 'Tina Teacher' },
        adminAuth,
      ),
    );
    const teacherAuth = await login(1, `tina-${run}`, 'teacher-password');

    const submitted = await call('cmd.applications.submit', { studentId, delta: 10, reason: 'won the maths olympiad' }, teacherAuth);
    const application = okData(submitted);
    expect(application).toMatchObject({ status: 'pending', applicationId: expect.any(String) as unknown });
    expect(submitted.ok && submitted.position).toBe(application.position);
    const applicationId = String(application.applicationId);

    const reviewed = okData(
      await call('cmd.applications.review', { applicationId, decision: 'approve', comment: 'well done' }, adminAuth),
    );
    expect(reviewed).toMatchObject({ applicationId, status: 'approved', score: 110 });
    const reviewPosition = Number(reviewed.position);

    const student = await call('query.students.get', { studentId, minPosition: reviewPosition }, adminAuth);
    expect(okData(student)).toMatchObject({ studentId, className: '7a', score: 110 });
    expect(student.ok && student.position).toBeGreaterThanOrEqual(reviewPosition);
    const records = okData(await call('query.students.records', { studentId, minPosition: reviewPosition }, adminAuth));
    expect((records.items as unknown[])[0]).toMatchObject({
      position: reviewPosition,
      delta: 10,
      source: 'application',
      newScore: 110,
    });
    // Every node has applied it (REST reads at the same position on each).
    for (const id of cluster.ids) {
      const response = await fetch(`http://127.0.0.1:${cluster.port(id)}/api/students/${studentId}`, {
        headers: { ...adminAuth, 'X-Min-Position': String(reviewPosition) },
        signal: AbortSignal.timeout(10_000),
      });
      expect(((await response.json()) as { score: unknown }).score).toBe(110);
    }

    // An idempotent retry over NATS: the same position, the score changed once.
    const key = { ...adminAuth, 'Idempotency-Key': `nats-retry-${run}` };
    const first = okData(await call('cmd.scores.modify', { studentId, delta: 5, reason: 'helped' }, key));
    const second = okData(await call('cmd.scores.modify', { studentId, delta: 5, reason: 'helped' }, key));
    expect(second).toMatchObject({ commandId: scopedCommandId(admin.ADMIN_USERNAME, `nats-retry-${run}`), position: first.position, score: 115 });
    const after = okData(await call('query.students.get', { studentId, minPosition: second.position }, adminAuth));
    expect(after.score).toBe(115);

    // A refused command keeps its key over NATS too: a retry answers the first refusal; another body is 422 too, for reusing the key.
    const refusedKey = { ...adminAuth, 'Idempotency-Key': `nats-refused-${run}` };
    const refused = await call('cmd.scores.modify', { studentId, delta: 100, reason: 'too much' }, refusedKey);
    expect(errorStatus(refused)).toBe(422);
    expect(await call('cmd.scores.modify', { studentId, delta: 100, reason: 'too much' }, refusedKey)).toEqual(refused);
    const refusedAgain = await call('cmd.scores.modify', { studentId, delta: 1, reason: 'fixed' }, refusedKey);
    expect(refusedAgain).toMatchObject({ ok: false, error: { statusCode: 422, message: expect.stringMatching(/Idempotency-Key/) } });
  }, 60_000);

  it('refuses a role (403) and hides another student exactly like an unknown id (404) over NATS', async () => {
    const own = `own-${run}`;
    const other = `other-${run}`;
    okData(await call('cmd.students.register', { studentId: own, name: 'Own', className: '7b' }, adminAuth));
    okData(await call('cmd.students.register', { studentId: other, name: 'Other', className: '7b' }, adminAuth));
    okData(
      await call(
        'cmd.users.create',
        { username: `own-user-${run}`, password: 'student-password', role: 'student', displayName: 'Own', studentId: own },
        adminAuth,
      ),
    );
    const club = okData(
      await call(
        'cmd.users.create',
        { username: `carl-${run}`, password: 'club-password', role: 'club', displayName: 'Chess club' },
        adminAuth,
      ),
    );
    const minPosition = Number(club.position);
    const [studentAuth, clubAuth] = await Promise.all([
      login(2, `own-user-${run}`, 'student-password'),
      login(1, `carl-${run}`, 'club-password'),
    ]);

    // Role: a club may not modify scores directly, nor a student list students.
    const forbidden = await call('cmd.scores.modify', { studentId: own, delta: 1, reason: 'nope' }, clubAuth);
    expect(forbidden).toMatchObject({ ok: false, error: { statusCode: 403, error: 'Forbidden' } });
    expect(errorStatus(await call('query.students.list', {}, studentAuth))).toBe(403);

    // BOLA: the student reads themself, not another student (who exists: the admin reads them).
    const ownRead = await call('query.students.get', { studentId: own, minPosition }, studentAuth);
    expect(okData(ownRead)).toMatchObject({ studentId: own });
    expect(okData(await call('query.students.get', { studentId: other, minPosition }, adminAuth))).toMatchObject({
      studentId: other,
    });
    // Another student's id answers exactly what an id that does not exist answers: 404.
    const nobody = `nobody-${run}`;
    for (const subject of ['query.students.get', 'query.students.records']) {
      const hidden = await call(subject, { studentId: other, minPosition }, studentAuth);
      const unknown = await call(subject, { studentId: nobody, minPosition }, studentAuth);
      expectHiddenLikeUnknown({ status: errorStatus(hidden), body: hidden }, { status: errorStatus(unknown), body: unknown }, other, nobody);
      expect(JSON.stringify(hidden)).not.toContain('Other');
    }
  }, 60_000);
});
