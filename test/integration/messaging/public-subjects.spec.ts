import type { Msg } from 'nats';
import { scopedCommandId } from '../../../src/application/idempotency';
import { ADMIN, type PublicNode, errorStatus, okData, startPublicNode } from './public-nats-support';

describe('public NATS subjects on a real single-member node', () => {
  let n: PublicNode;
  let admin: Record<string, string>;
  let teacher: Record<string, string>;

  beforeAll(async () => {
    n = await startPublicNode('pub');
    admin = { Authorization: `Bearer ${await n.login(ADMIN.username, ADMIN.password)}` };
    okData(
      await n.call(
        'cmd.users.create',
        { username: 'tina', password: 'teacher-pass', role: 'teacher', displayName: 'Tina' },
        admin,
      ),
    );
    teacher = { Authorization: `Bearer ${await n.login('tina', 'teacher-pass')}` };
  }, 60_000);

  afterAll(async () => {
    await n?.stop();
  });

  it('registers and modifies over NATS with a token: envelope with the REST body and the position', async () => {
    const registered = await n.call('cmd.students.register', { studentId: 's1', name: 'Ada', className: '7a' }, admin);
    expect(registered).toMatchObject({ ok: true, data: { studentId: 's1', score: 100 } });
    const modified = await n.call('cmd.scores.modify', { studentId: 's1', delta: 5, reason: 'helped' }, admin);
    const data = okData(modified);
    expect(data).toMatchObject({ score: 105, commandId: expect.any(String) as unknown });
    expect(modified.ok && modified.position).toBe(data.position);
    expect(typeof data.position).toBe('number');
  });

  it('answers 401 without or with a bad token, 403 for a wrong role', async () => {
    const body = { studentId: 's1', delta: 1, reason: 'x' };
    expect(errorStatus(await n.call('cmd.scores.modify', body))).toBe(401);
    expect(errorStatus(await n.call('cmd.scores.modify', body, { Authorization: 'Bearer nope' }))).toBe(401);
    expect(errorStatus(await n.call('query.students.list', {}))).toBe(401);
    const forbidden = await n.call('cmd.scores.modify', body, teacher);
    expect(forbidden).toMatchObject({ ok: false, error: { statusCode: 403, error: 'Forbidden' } });
    expect(errorStatus(await n.call('query.cluster.status', {}, teacher))).toBe(403);
  });

  it('answers 400 with field details for bad input, unknown and prototype-named fields, 413 when too large', async () => {
    const wrongType = await n.call('cmd.scores.modify', { studentId: 's1', delta: '5', reason: 'x' }, admin);
    expect(wrongType).toMatchObject({ ok: false, error: { statusCode: 400, error: 'Bad Request' } });
    expect(!wrongType.ok && wrongType.error.details).toEqual([expect.objectContaining({ field: 'delta' })]);
    const extra = await n.call('cmd.scores.modify', { studentId: 's1', delta: 5, reason: 'x', sneaky: 1 }, admin);
    expect(!extra.ok && extra.error.details).toEqual([expect.objectContaining({ field: 'sneaky' })]);
    const proto = await n.call(
      'cmd.students.register',
      '{"studentId":"s9","name":"A","className":"7a","__proto__":{"x":1}}',
      admin,
    );
    expect(!proto.ok && proto.error.details).toEqual([expect.objectContaining({ field: '__proto__' })]);
    const notJson = await n.call('cmd.students.register', '{not json', admin);
    expect(!notJson.ok && notJson.error).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
    expect(
      errorStatus(await n.call('cmd.scores.modify', { studentId: 's1', delta: 1, reason: 'x'.repeat(17_000) }, admin)),
    ).toBe(413);
    expect(
      errorStatus(
        await n.call(
          'cmd.scores.modify',
          { studentId: 's1', delta: 1, reason: 'x' },
          { ...admin, 'Idempotency-Key': 'k'.repeat(129) },
        ),
      ),
    ).toBe(400);
  });

  it('refuses (400) a Behavior-Forward-Hops header that is not a small integer, and serves one that is', async () => {
    for (const hops of ['abc', '-1', '3', '99', '1e1', '0x1', '1.5']) {
      const refused = await n.call('query.students.list', {}, { ...admin, 'Behavior-Forward-Hops': hops });
      expect(refused).toMatchObject({ ok: false, error: { statusCode: 400, message: expect.stringMatching(/Behavior-Forward-Hops/) as unknown } });
      expect(errorStatus(await n.call('cmd.scores.modify', { studentId: 's1', delta: 1, reason: 'hops' }, { ...admin, 'Behavior-Forward-Hops': hops }))).toBe(400);
    }
    for (const hops of ['0', '1', '2']) okData(await n.call('query.students.list', {}, { ...admin, 'Behavior-Forward-Hops': hops }));
  });

  it('maps domain refusals: 422 out of range, 404 unknown, 409 second review', async () => {
    expect(
      errorStatus(await n.call('cmd.scores.modify', { studentId: 's1', delta: 1000, reason: 'too much' }, admin)),
    ).toBe(422);
    expect(errorStatus(await n.call('cmd.scores.modify', { studentId: 'nobody', delta: 1, reason: 'x' }, admin))).toBe(
      404,
    );
    const submitted = okData(
      await n.call('cmd.applications.submit', { studentId: 's1', delta: 2, reason: 'quiz' }, teacher),
    );
    expect(submitted).toMatchObject({ status: 'pending', applicationId: expect.any(String) as unknown });
    const applicationId = String(submitted.applicationId);
    okData(await n.call('cmd.applications.review', { applicationId, decision: 'approve', comment: 'ok' }, admin));
    const again = await n.call('cmd.applications.review', { applicationId, decision: 'reject', comment: 'no' }, admin);
    expect(again).toMatchObject({ ok: false, error: { statusCode: 409, error: 'Conflict' } });
  });

  it('an Idempotency-Key repeat returns the first answer and changes nothing', async () => {
    const before = n.node.aggregates.student('s1').score;
    const headers = { ...admin, 'Idempotency-Key': 'nats-key-1' };
    const first = okData(await n.call('cmd.scores.modify', { studentId: 's1', delta: 3, reason: 'once' }, headers));
    const second = okData(await n.call('cmd.scores.modify', { studentId: 's1', delta: 3, reason: 'once' }, headers));
    expect(second).toMatchObject({ commandId: scopedCommandId(ADMIN.username, 'nats-key-1'), position: first.position });
    expect(n.node.aggregates.student('s1').score).toBe(before + 3);
  });

  it("keys belong to their caller: another user's same key gets their own command; the same key with another body is 422", async () => {
    okData(await n.call('cmd.users.create', { username: 'tom', password: 'teacher-pass', role: 'teacher', displayName: 'Tom' }, admin));
    const tom = { Authorization: `Bearer ${await n.login('tom', 'teacher-pass')}` };
    const body = { studentId: 's1', delta: 2, reason: 'quiz' };
    const tinas = okData(await n.call('cmd.applications.submit', body, { ...teacher, 'Idempotency-Key': 'shared-nats' }));
    const toms = okData(await n.call('cmd.applications.submit', body, { ...tom, 'Idempotency-Key': 'shared-nats' }));
    expect(toms.applicationId).not.toBe(tinas.applicationId);
    expect(toms.commandId).not.toBe(tinas.commandId);
    expect(n.node.aggregates.application(String(toms.applicationId))).toMatchObject({ exists: true, submittedBy: 'tom' });
    const changed = await n.call('cmd.applications.submit', { ...body, delta: 3 }, { ...tom, 'Idempotency-Key': 'shared-nats' });
    expect(changed).toMatchObject({ ok: false, error: { statusCode: 422, message: expect.stringMatching(/Idempotency-Key/) } });
  });

  it('a query with minPosition sees the write it names', async () => {
    const written = okData(await n.call('cmd.scores.modify', { studentId: 's1', delta: -1, reason: 'late' }, admin));
    const got = await n.call('query.students.get', { studentId: 's1', minPosition: written.position }, admin);
    expect(okData(got)).toMatchObject({ studentId: 's1', score: written.score });
    expect(got.ok && got.position).toBeGreaterThanOrEqual(Number(written.position));
    const records = okData(
      await n.call('query.students.records', { studentId: 's1', pageSize: 2, minPosition: written.position }, teacher),
    );
    expect(records).toMatchObject({ pageSize: 2, items: [expect.objectContaining({ delta: -1 }), expect.anything()] });
    const list = okData(await n.call('query.students.list', { className: '7a' }, teacher));
    expect(list.total).toBeGreaterThanOrEqual(1);
    expect(errorStatus(await n.call('query.students.list', { pageSize: 1000 }, teacher))).toBe(400);
    expect(okData(await n.call('query.cluster.status', {}, admin))).toMatchObject({ nodeId: 'n1', role: 'leader' });
  });

  it('BOLA: a student reads only themself; teachers see only their own applications', async () => {
    okData(await n.call('cmd.students.register', { studentId: 's2', name: 'Bob', className: '7b' }, admin));
    const created = okData(
      await n.call(
        'cmd.users.create',
        { username: 'stu1', password: 'student-pass', role: 'student', displayName: 'Ada', studentId: 's1' },
        admin,
      ),
    );
    await n.node.projector.waitFor(Number(created.position), 5000);
    const student = { Authorization: `Bearer ${await n.login('stu1', 'student-pass')}` };
    expect(okData(await n.call('query.students.get', { studentId: 's1' }, student))).toMatchObject({ studentId: 's1' });
    expect(await n.call('query.students.get', { studentId: 's2' }, student)).toMatchObject({
      ok: false,
      error: { statusCode: 404 },
    });
    expect(errorStatus(await n.call('query.students.get', { studentId: 'nobody' }, student))).toBe(404);
    expect(errorStatus(await n.call('query.students.records', { studentId: 's2' }, student))).toBe(404);
    expect(errorStatus(await n.call('query.students.list', {}, student))).toBe(403);
    expect(errorStatus(await n.call('query.applications.list', {}, student))).toBe(403);

    okData(
      await n.call(
        'cmd.users.create',
        { username: 'carl', password: 'club-pass-1', role: 'club', displayName: 'Chess' },
        admin,
      ),
    );
    const club = { Authorization: `Bearer ${await n.login('carl', 'club-pass-1')}` };
    const own = okData(await n.call('cmd.applications.submit', { studentId: 's2', delta: 1, reason: 'chess' }, club));
    const clubList = okData(await n.call('query.applications.list', { minPosition: own.position }, club)) as {
      items: { submittedBy: string }[];
    };
    expect(clubList.items.map((a) => a.submittedBy)).toEqual(['carl']);
    const adminList = okData(await n.call('query.applications.list', { minPosition: own.position }, admin)) as {
      total: number;
    };
    expect(adminList.total).toBeGreaterThanOrEqual(2);
  });

  it('the leader publishes each event once with Nats-Msg-Id = position, never a passwordHash; events.read fills a gap', async () => {
    const seen: Msg[] = [];
    const sub = n.node.nats.subscribe(`${n.prefix}.events.>`, { callback: (_e, msg) => seen.push(msg) });
    await n.node.nats.flush();
    const modified = okData(await n.call('cmd.scores.modify', { studentId: 's2', delta: 7, reason: 'feed' }, admin));
    const user = okData(
      await n.call(
        'cmd.users.create',
        { username: 'feedy', password: 'very-secret-pw', role: 'teacher', displayName: 'Feedy' },
        admin,
      ),
    );
    const deadline = Date.now() + 5000;
    const positionOf = (m: Msg) => Number(m.headers?.get('Nats-Msg-Id'));
    while (!seen.some((m) => positionOf(m) === user.position) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();

    const scoreMsg = seen.find(
      (m) => m.subject === `${n.prefix}.events.student.ScoreModified` && positionOf(m) === modified.position,
    );
    expect(scoreMsg).toBeDefined();
    expect(JSON.parse(Buffer.from(scoreMsg?.data ?? []).toString())).toMatchObject({
      position: modified.position,
      streamId: 's2',
      type: 'ScoreModified',
      data: { delta: 7 },
    });
    const userMsg = seen.find((m) => m.subject === `${n.prefix}.events.user.UserCreated`);
    expect(userMsg).toBeDefined();
    const positions = seen.map(positionOf);
    expect(new Set(positions).size).toBe(positions.length);
    const wire = seen.map((m) => Buffer.from(m.data).toString()).join('\n');
    expect(wire).not.toMatch(/passwordHash|scrypt|very-secret-pw/);

    // A subscriber that missed the ScoreModified reads it back.
    const read = okData(
      await n.call('query.events.read', { fromPosition: Number(modified.position), limit: 5 }, admin),
    ) as {
      events: { position: number; type: string; data: unknown }[];
      nextPosition: number;
    };
    expect(read.events[0]).toMatchObject({
      position: modified.position,
      type: 'ScoreModified',
      streamType: 'student',
      streamId: 's2',
    });
    expect(read.nextPosition).toBe(read.events[read.events.length - 1].position + 1);
    const all = okData(await n.call('query.events.read', { fromPosition: 0, limit: 1000 }, admin)) as {
      events: { type: string }[];
    };
    expect(all.events.filter((e) => e.type === 'UserCreated').length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(all)).not.toMatch(/passwordHash|scrypt/);
    expect(errorStatus(await n.call('query.events.read', { fromPosition: 0, limit: 1001 }, admin))).toBe(400);
    expect(errorStatus(await n.call('query.events.read', { fromPosition: 0 }))).toBe(401);
  });

  it('events.read is scoped like REST: a student their own events, a teacher their own applications, an admin all', async () => {
    for (const studentId of ['ev1', 'ev2']) {
      okData(await n.call('cmd.students.register', { studentId, name: `Student ${studentId}`, className: '7e' }, admin));
      okData(await n.call('cmd.scores.modify', { studentId, delta: 3, reason: 'scoped' }, admin));
    }
    okData(await n.call('cmd.users.create', { username: 'stu-ev1', password: 'student-pass', role: 'student', displayName: 'Ev One', studentId: 'ev1' }, admin));
    okData(await n.call('cmd.users.create', { username: 'theo', password: 'teacher-pass', role: 'teacher', displayName: 'Theo' }, admin));
    const student = { Authorization: `Bearer ${await n.login('stu-ev1', 'student-pass')}` };
    const tom = { Authorization: `Bearer ${await n.login('theo', 'teacher-pass')}` };
    const tinas = okData(await n.call('cmd.applications.submit', { studentId: 'ev2', delta: 2, reason: 'tina asks' }, teacher));
    const toms = okData(await n.call('cmd.applications.submit', { studentId: 'ev2', delta: 1, reason: 'tom asks' }, tom));
    const last = okData(await n.call('cmd.applications.review', { applicationId: String(toms.applicationId), decision: 'approve', comment: 'ok' }, admin));
    type Read = { events: { position: number; streamType: string; streamId: string; type: string }[]; nextPosition: number; head: number };
    const readAll = async (who: Record<string, string>): Promise<Read['events']> => {
      const events: Read['events'] = [];
      let from = 0;
      for (let page = 0; page < 100; page++) {
        const read = okData(await n.call('query.events.read', { fromPosition: from, limit: 7 }, who)) as unknown as Read;
        events.push(...read.events);
        if (read.nextPosition > read.head) break;
        from = read.nextPosition;
      }
      return events;
    };
    // The read models have applied the review before a scoped read covers it.
    okData(await n.call('query.students.get', { studentId: 'ev1', minPosition: Number(last.position) }, admin));

    const mine = await readAll(student);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((e) => e.streamType === 'student' && e.streamId === 'ev1')).toBe(true);
    expect(mine.map((e) => e.type)).toEqual(expect.arrayContaining(['StudentRegistered', 'ScoreModified']));

    const tomsEvents = await readAll(tom);
    expect(tomsEvents.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tomsEvents.map((e) => `${e.streamType}/${e.streamId}`))).toEqual(new Set([`application/${String(toms.applicationId)}`]));
    const tinasEvents = await readAll(teacher);
    expect(tinasEvents.map((e) => e.streamId)).toContain(String(tinas.applicationId));
    expect(tinasEvents.map((e) => e.streamId)).not.toContain(String(toms.applicationId));

    const everything = await readAll(admin);
    expect(everything.map((e) => e.streamId)).toEqual(expect.arrayContaining(['ev1', 'ev2', String(toms.applicationId), 'stu-ev1']));
  });
});
