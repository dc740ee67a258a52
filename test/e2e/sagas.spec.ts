import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, headers as natsHeaders } from 'nats';
import { inboxPrefixFor } from '../../src/infra/nats/connection';
import { E2eCluster, expectHiddenLikeUnknown, randomToken, report, waitFor } from './cluster-harness';
import { RecordsProcess, SagaApi, doneSteps, readModelsOf } from './saga-support';

/**
 * The sagas on a real 3-node cluster with the real records service: a batch that meets a frozen
 * student and compensates, the archive with the records service storing, failing, timing out and
 * absent, a failed compensation an admin retries, and the leader SIGKILLed mid-batch and
 * mid-archive. Steps are paced (SAGA_STEP_DELAY_MS) so the tests can act between them.
 */
describe('sagas on a 3-node cluster', () => {
  const STEP_DELAY_MS = 100;
  const RECORDS_TIMEOUT_MS = 10_000;
  let cluster: E2eCluster;
  let api: SagaApi;
  let records: RecordsProcess;
  const run = randomToken();
  const id = (n: number) => `st-${String(n).padStart(4, '0')}`;
  /** 7a: st-0001..st-1000 but st-0731, which is alone in class `hold`. */
  const classA = Array.from({ length: 1000 }, (_, i) => id(i + 1));
  const classB = Array.from({ length: 20 }, (_, i) => `b-${i + 1}`);
  const classC = Array.from({ length: 120 }, (_, i) => `c-${i + 1}`);

  beforeAll(async () => {
    cluster = await E2eCluster.start({
      label: 'sagas',
      env: {
        SAGA_STEP_DELAY_MS: String(STEP_DELAY_MS),
        RECORDS_TIMEOUT_MS: String(RECORDS_TIMEOUT_MS),
        RECORDS_SUBJECT: `records.${run}.store`,
        HTTP_RATE_LIMIT_PER_SECOND: '100000',
      },
    });
    records = new RecordsProcess(cluster.natsUrl, `records.${run}.store`);
    await records.start();
    await cluster.waitForLeader();
    api = new SagaApi(cluster);
    await api.login();
    await api.registerStudents([
      ...classA.map((studentId) => ({ studentId, className: studentId === id(731) ? 'hold' : '7a' })),
      ...classB.map((studentId) => ({ studentId, className: '7b' })),
      ...classC.map((studentId) => ({ studentId, className: '7c' })),
    ]);
  }, 180_000);

  afterAll(async () => {
    await records?.stop();
    await cluster?.stop();
  });

  it('archives a class: snapshot in the archive read model and the records service, scores reset, class thawed', async () => {
    await api.expect(200, null, 'POST', '/api/scores/modify', { studentId: 'b-1', delta: 7, reason: 'helped' });
    const { sagaId } = await api.expect(202, null, 'POST', '/api/archives', { semester: `s1-${run}`, className: '7b' });
    const view = await api.waitForSaga(String(sagaId), (v) => v.status === 'completed' || v.status === 'compensated');
    expect(view.status).toBe('completed');
    const at = `minPosition=${String(view.position)}`;
    const list = await api.expect(200, null, 'GET', `/api/archives?semester=s1-${run}&${at}`);
    expect(list.items).toEqual([expect.objectContaining({ archiveId: sagaId, className: '7b', studentCount: 20 })]);
    const archived = await api.expect(200, null, 'GET', `/api/archives/s1-${run}/students/b-1?${at}`);
    expect(archived).toMatchObject({ studentId: 'b-1', score: 107, className: '7b' });
    const stored = JSON.parse(readFileSync(join(records.dir, `s1-${run}`, `${String(sagaId)}.json`), 'utf8')) as { students: unknown[] };
    expect(stored.students).toHaveLength(20);
    const b1 = await api.expect(200, null, 'GET', `/api/students/b-1?${at}`);
    expect(b1).toMatchObject({ score: 100, frozen: false });

    // BOLA on the real archive route: b-2's student user reads their own archived score; b-1's
    // (archived in the same semester) answers exactly what an id that does not exist answers.
    const username = `b2-user-${run}`;
    const user = await api.expect(201, null, 'POST', '/api/users', { username, password: 'student-password', role: 'student', displayName: 'B2', studentId: 'b-2' });
    let token = '';
    await waitFor('b-2 logs in', async () => {
      const answer = await api.call(null, 'POST', '/api/auth/login', { username, password: 'student-password' }, '');
      token = String(answer.body.accessToken ?? '');
      return answer.status === 200;
    }, 30_000, 200);
    const seen = `minPosition=${String(user.position)}`;
    for (const node of cluster.ids) {
      const own = await api.call(node, 'GET', `/api/archives/s1-${run}/students/b-2?${seen}`, undefined, token);
      expect(own).toMatchObject({ status: 200, body: { studentId: 'b-2', score: 100 } });
      expectHiddenLikeUnknown(
        await api.call(node, 'GET', `/api/archives/s1-${run}/students/b-1?${seen}`, undefined, token),
        await api.call(node, 'GET', `/api/archives/s1-${run}/students/nobody-${run}?${seen}`, undefined, token),
        'b-1',
        `nobody-${run}`,
      );
    }
  }, 90_000);

  it('runs a batch over the public NATS subjects and tells its state there', async () => {
    const nats = await connect({ servers: cluster.natsUrl, inboxPrefix: inboxPrefixFor('e2e') });
    try {
      const ask = async (subject: string, body: unknown) => {
        const headers = natsHeaders();
        headers.set('Authorization', `Bearer ${api.adminToken}`);
        const reply = await nats.request(subject, JSON.stringify(body), { timeout: 15_000, headers });
        return JSON.parse(new TextDecoder().decode(reply.data)) as { ok: boolean; data: Record<string, unknown> };
      };
      const started = await ask('behavior.cmd.scores.batch', { changes: [{ studentId: 'b-3', delta: 2 }, { studentId: 'b-4', delta: -2 }], reason: 'over nats' });
      expect(started).toMatchObject({ ok: true, data: { sagaId: expect.any(String), status: 'running' } });
      const sagaId = String(started.data.sagaId);
      await api.waitForSaga(sagaId, (v) => v.status === 'completed');
      expect(await ask('behavior.query.sagas.get', { sagaId })).toMatchObject({ ok: true, data: { sagaId, kind: 'batch', status: 'completed' } });
      expect(await ask('behavior.query.sagas.get', { sagaId: 'saga-none' })).toMatchObject({ ok: false, error: { statusCode: 404 } });
    } finally {
      await nats.close();
    }
  }, 60_000);

  it('compensates a batch of 1,000 whose student #731 is frozen: read models as before, the saga names student and reason', async () => {
    await api.expect(200, null, 'POST', '/api/scores/modify', { studentId: id(731), delta: 4, reason: 'helped' });
    await records.setMode('slow', 60_000);
    const hold = await api.expect(202, null, 'POST', '/api/archives', { semester: `s2-${run}`, className: 'hold' });
    await api.waitForSaga(String(hold.sagaId), (v) => (v.steps as { status: string }[]).some((s) => s.status === 'started'));
    report(`${new Date().toISOString()} hold archive waits for the records service`);
    const before = await readModelsOf(cluster, cluster.aliveIds()[0]);
    report(`${new Date().toISOString()} read models read before the batch`);
    const changes = classA.map((studentId, i) => ({ studentId, delta: i % 2 === 0 ? 3 : -2 }));
    const { sagaId } = await api.expect(202, null, 'POST', '/api/scores/batch', { changes, reason: 'sports day' });
    const view = await api.waitForSaga(String(sagaId), (v) => v.status === 'completed' || v.status === 'compensated');
    report(`${new Date().toISOString()} batch ended ${String(view.status)}`);
    expect(view.status).toBe('compensated');
    const chunkSize = (view.input as { chunkSize: number }).chunkSize;
    const failedChunk = Math.floor(730 / chunkSize);
    expect(view.failure).toEqual({ step: `chunk:${failedChunk}`, reasons: [{ studentId: id(731), code: 'conflict', message: `student ${id(731)} is frozen: cannot change the score` }] });
    await cluster.waitForConvergence(30_000, cluster.aliveIds()); // the node read below holds every compensation
    const after = await readModelsOf(cluster, cluster.aliveIds()[1]);
    expect(after.scores).toEqual(before.scores);
    expect(after.tables).toEqual(after.fold);
    const batchEvents = after.events.filter((e) => (e.data as { sagaId?: string }).sagaId === sagaId && e.type === 'ScoreModified');
    expect(batchEvents.filter((e) => (e.data as { source: string }).source === 'batch')).toHaveLength(failedChunk * chunkSize);
    expect(batchEvents.filter((e) => (e.data as { source: string }).source === 'compensation')).toHaveLength(failedChunk * chunkSize);
    // The records service never answered: the archive holding st-0731 times out and thaws it, no reset.
    const holdView = await api.waitForSaga(String(hold.sagaId), (v) => v.status === 'compensated', RECORDS_TIMEOUT_MS + 30_000);
    expect((holdView.failure as { reasons: { code: string }[] }).reasons[0].code).toBe('timeout');
    expect(await api.expect(200, null, 'GET', `/api/students/${id(731)}?minPosition=${String(holdView.position)}`)).toMatchObject({ score: 104, frozen: false });
    await records.setMode('ok');
  }, 120_000);

  it('compensates an archive the records service refuses, and one it is absent for: no score reset, class thawed', async () => {
    await api.expect(200, null, 'POST', '/api/scores/modify', { studentId: 'b-2', delta: 9, reason: 'helped' });
    await records.setMode('fail');
    const failed = await api.expect(202, null, 'POST', '/api/archives', { semester: `s3-${run}`, className: '7b' });
    const failedView = await api.waitForSaga(String(failed.sagaId), (v) => v.status === 'completed' || v.status === 'compensated');
    expect(failedView.status).toBe('compensated');
    expect(failedView.failure).toEqual({ step: 'store', reasons: [{ code: 'external', message: expect.stringContaining('mode fail') }] });
    await records.kill();
    const absent = await api.expect(202, null, 'POST', '/api/archives', { semester: `s4-${run}`, className: '7b' });
    const absentView = await api.waitForSaga(String(absent.sagaId), (v) => v.status === 'completed' || v.status === 'compensated', RECORDS_TIMEOUT_MS + 30_000);
    expect(absentView.status).toBe('compensated');
    expect((absentView.failure as { reasons: { code: string }[] }).reasons[0].code).toBe('timeout');
    const b2 = await api.expect(200, null, 'GET', `/api/students/b-2?minPosition=${String(absentView.position)}`);
    expect(b2).toMatchObject({ score: 109, frozen: false });
    const list = await api.expect(200, null, 'GET', `/api/archives?semester=s3-${run}`);
    expect(list.items).toEqual([]);
    expect(existsSync(join(records.dir, `s3-${run}`))).toBe(false);
    await records.start();
  }, 90_000);

  it('flags a saga whose compensation fails for an operator; the admin retry completes the compensation', async () => {
    const before = await readModelsOf(cluster, cluster.aliveIds()[0]);
    const changes = [...classA.slice(0, 150).filter((s) => s !== id(731)).map((studentId) => ({ studentId, delta: 50 })), { studentId: `ghost-${run}`, delta: 1 }];
    const { sagaId } = await api.expect(202, null, 'POST', '/api/scores/batch', { changes, reason: 'trip' });
    await api.waitForSaga(String(sagaId), (v) => doneSteps(v, 'chunk:') >= 1, 30_000);
    // Take st-0001's score to 0 while the later chunks run: undoing its +50 then leaves the range.
    let score = (await api.expect(200, null, 'GET', `/api/students/${id(1)}`)).score as number;
    for (let i = 0; i < 5 && score !== 0; i++) {
      const answer = await api.call(null, 'POST', '/api/scores/modify', { studentId: id(1), delta: -score, reason: 'operator test' });
      score = answer.status === 200 ? (answer.body.score as number) : ((await api.expect(200, null, 'GET', `/api/students/${id(1)}`)).score as number);
    }
    expect(score).toBe(0);
    const stuck = await api.waitForSaga(String(sagaId), (v) => v.needsOperator === true || v.status === 'compensated');
    expect(stuck).toMatchObject({ needsOperator: true, status: 'compensating', operator: { step: 'chunk:0', reasons: [expect.objectContaining({ studentId: id(1), code: 'rule-broken' })] } });
    const status = await api.expect(200, cluster.aliveIds()[0], 'GET', '/api/cluster/status');
    expect((status.sagas as { needingOperator: { sagaId: string }[] }).needingOperator.map((s) => s.sagaId)).toContain(sagaId);
    await api.expect(200, null, 'POST', '/api/scores/modify', { studentId: id(1), delta: 60, reason: 'operator fix' });
    await api.expect(202, null, 'POST', `/api/sagas/${String(sagaId)}/retry`);
    const done = await api.waitForSaga(String(sagaId), (v) => v.status === 'compensated');
    expect(done.needsOperator).toBe(false);
    const after = await readModelsOf(cluster, cluster.aliveIds()[0]);
    expect(after.scores.get(id(1))).toBe(10);
    expect(classA.slice(1, 150).filter((s) => after.scores.get(s) !== before.scores.get(s))).toEqual([]);
    expect(after.tables).toEqual(after.fold);
    expect((await api.call(null, 'POST', `/api/sagas/${String(sagaId)}/retry`)).status).toBe(409);
  }, 90_000);

  it('finishes a batch whose leader is SIGKILLed mid-way: every student changes exactly once', async () => {
    const before = await readModelsOf(cluster, cluster.aliveIds()[0]);
    const students = classA.filter((s) => s !== id(731));
    const { sagaId } = await api.expect(202, null, 'POST', '/api/scores/batch', { changes: students.map((studentId) => ({ studentId, delta: 1 })), reason: 'kill test' });
    const leader = await cluster.waitForLeader();
    const midway = await api.waitForSaga(String(sagaId), (v) => doneSteps(v, 'chunk:') >= 3, 30_000);
    await cluster.kill(leader, 'SIGKILL');
    expect(midway.status).toBe('running');
    expect((await api.saga(String(sagaId))).status).toBe('running'); // a survivor: the kill came mid-way
    report(`batch: leader ${leader} SIGKILLed after ${doneSteps(midway, 'chunk:')} of ${(midway.steps as unknown[]).length} chunks`);
    const view = await api.waitForSaga(String(sagaId), (v) => v.status === 'completed' || v.status === 'compensated', 60_000);
    expect(view.status).toBe('completed');
    const after = await readModelsOf(cluster, cluster.aliveIds()[0]);
    const perStudent = new Map<string, number>();
    for (const e of after.events) {
      const data = e.data as { sagaId?: string; studentId: string };
      if (e.type === 'ScoreModified' && data.sagaId === sagaId) perStudent.set(data.studentId, (perStudent.get(data.studentId) ?? 0) + 1);
    }
    expect(students.filter((s) => perStudent.get(s) !== 1)).toEqual([]);
    expect(students.filter((s) => after.scores.get(s) !== before.scores.get(s)! + 1)).toEqual([]);
    expect(after.tables).toEqual(after.fold);
    await cluster.restart(leader);
  }, 120_000);

  it('finishes an archive whose leader is SIGKILLed mid-way: each student frozen, reset and thawed once', async () => {
    await cluster.waitForLeader();
    await api.expect(200, null, 'POST', '/api/scores/modify', { studentId: 'c-5', delta: 11, reason: 'helped' });
    const { sagaId } = await api.expect(202, null, 'POST', '/api/archives', { semester: `s5-${run}`, className: '7c' });
    const leader = await cluster.waitForLeader();
    const midway = await api.waitForSaga(String(sagaId), (v) => doneSteps(v, 'freeze:') >= 1, 30_000);
    await cluster.kill(leader, 'SIGKILL');
    expect(midway.status).toBe('running');
    expect((await api.saga(String(sagaId))).status).toBe('running'); // a survivor: the kill came mid-way
    report(`archive: leader ${leader} SIGKILLed after ${doneSteps(midway, '')} of ${(midway.steps as unknown[]).length} steps`);
    const view = await api.waitForSaga(String(sagaId), (v) => v.status === 'completed' || v.status === 'compensated', 60_000);
    const after = await readModelsOf(cluster, cluster.aliveIds()[0]);
    const count = (type: string, studentId: string) =>
      after.events.filter((e) => e.type === type && (e.data as { sagaId?: string; studentId?: string }).sagaId === sagaId && (e.data as { studentId?: string }).studentId === studentId).length;
    expect(view.status).toBe('completed');
    expect(classC.filter((s) => count('StudentFrozen', s) !== 1 || count('StudentUnfrozen', s) !== 1)).toEqual([]);
    expect(classC.filter((s) => count('ScoreModified', s) > 1)).toEqual([]);
    expect(count('ScoreModified', 'c-5')).toBe(1);
    expect(classC.filter((s) => after.scores.get(s) !== 100)).toEqual([]);
    expect(after.tables).toEqual(after.fold);
    expect(await api.expect(200, null, 'GET', `/api/archives/s5-${run}/students/c-5?minPosition=${String(view.position)}`)).toMatchObject({ score: 111 });
    await cluster.restart(leader);
  }, 120_000);
});
