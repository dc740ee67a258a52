import { randomBytes } from 'node:crypto';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import type { Actor } from '../../../src/domain';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { ApplicationsRepository, ReasonsRepository, ScoreRecordsRepository, readModelDb } from '../../../src/projections';
import { dropDatabase } from '../mysql/test-database';

const admin: Actor = { username: 'root', role: 'admin' };
const teacher: Actor = { username: 'tina', role: 'teacher' };
const helped = { code: 'helped', labelZh: '助人为乐', labelEn: 'Helped others', defaultDelta: 2, polarity: 'positive' as const };

/** The reason catalogue decided through the log of a single-member cluster (real MySQL and NATS). */
describe('the reason catalogue through the log', () => {
  const id = randomBytes(4).toString('hex');
  let node: ConsensusNode;

  beforeAll(async () => {
    const config = nodeConfigFromEnv({
      NODE_ID: 'n1',
      CLUSTER_NODES: 'n1',
      CLUSTER_NAME: `rs${id}`,
      API_SUBJECT_PREFIX: `rs${id}`,
      MYSQL_DATABASE: `behavior_test_rs_${id}`,
      TICK_MS: '5',
      ADMIN_USERNAME: 'headmaster',
      ADMIN_PASSWORD: 'bootstrap-secret',
    });
    node = await ConsensusNode.start(config, () => undefined);
    const deadline = Date.now() + 10_000;
    while (node.driver.status().role !== 'leader' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await node.commands.execute({ name: 'students.register', data: { studentId: 's1', name: 'Ada', className: '7a' } }, admin);
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
    await dropDatabase(`behavior_test_rs_${id}`);
  });

  const reasons = () => new ReasonsRepository(readModelDb(node.db));

  it('creates a reason (active by default), projects it, and refuses the same code again (409)', async () => {
    const created = await node.commands.execute({ name: 'reasons.create', data: helped }, admin);
    expect(created.result).toEqual({ code: 'helped' });
    await node.projector.waitFor(created.position ?? 0, 5000);
    expect(await reasons().listReasons()).toEqual([expect.objectContaining({ ...helped, active: true, position: created.position })]);
    const head = node.events.head;
    await expect(node.commands.execute({ name: 'reasons.create', data: helped }, admin)).rejects.toMatchObject({ status: 409 });
    await expect(node.commands.execute({ name: 'reasons.create', data: { ...helped, code: 'other' } }, teacher)).rejects.toMatchObject({ status: 403 });
    expect(node.events.head).toBe(head);
  });

  it('a score change and an application may name an active reason; the records carry its code', async () => {
    const modified = await node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 2, reason: 'held the door', reasonCode: 'helped' } }, admin);
    const submitted = await node.commands.execute({ name: 'applications.submit', data: { studentId: 's1', delta: 2, reason: 'tidied up', reasonCode: 'helped' } }, teacher);
    const applicationId = String(submitted.result.applicationId);
    const reviewed = await node.commands.execute({ name: 'applications.review', data: { applicationId, decision: 'approve', comment: 'ok' } }, admin);
    await node.projector.waitFor(reviewed.position ?? 0, 5000);
    const records = await new ScoreRecordsRepository(readModelDb(node.db)).listRecords('s1');
    expect(records.items.map((r) => [r.position === modified.position ? 'direct' : r.source, r.reasonCode])).toEqual([
      ['application', 'helped'],
      ['direct', 'helped'],
    ]);
    expect(await new ApplicationsRepository(readModelDb(node.db)).getApplication(applicationId)).toMatchObject({ reasonCode: 'helped', status: 'approved' });
  });

  it('refuses an unknown or retired reason (422) and appends nothing; updates go through the log', async () => {
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 1, reason: 'x', reasonCode: 'nope' } }, admin)).rejects.toMatchObject({
      status: 422,
    });
    const retired = await node.commands.execute({ name: 'reasons.update', data: { code: 'helped', active: false, labelEn: 'Helped' } }, admin);
    await node.projector.waitFor(retired.position ?? 0, 5000);
    expect(await reasons().getReason('helped')).toMatchObject({ active: false, labelEn: 'Helped', labelZh: '助人为乐' });
    const head = node.events.head;
    await expect(node.commands.execute({ name: 'applications.submit', data: { studentId: 's1', delta: 1, reason: 'x', reasonCode: 'helped' } }, teacher)).rejects.toMatchObject({
      status: 422,
    });
    await expect(node.commands.execute({ name: 'reasons.update', data: { code: 'ghost', active: false } }, admin)).rejects.toMatchObject({ status: 404 });
    expect(node.events.head).toBe(head);
  });
});
