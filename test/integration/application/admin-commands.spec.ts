import { randomBytes } from 'node:crypto';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import type { Actor } from '../../../src/domain';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { StudentsRepository, UsersRepository, readModelDb } from '../../../src/projections';
import { dropDatabase } from '../mysql/test-database';

const admin: Actor = { username: 'root', role: 'admin' };

/** The admin portal's commands through the log of a single-member cluster (real MySQL and NATS). */
describe('admin commands: password reset, display name, user list, freeze and unfreeze', () => {
  const id = randomBytes(4).toString('hex');
  let node: ConsensusNode;

  beforeAll(async () => {
    node = await ConsensusNode.start(
      nodeConfigFromEnv({ NODE_ID: 'n1', CLUSTER_NODES: 'n1', CLUSTER_NAME: `ac${id}`, API_SUBJECT_PREFIX: `ac${id}`, MYSQL_DATABASE: `behavior_test_ac_${id}`, TICK_MS: '5', ADMIN_USERNAME: 'headmaster', ADMIN_PASSWORD: 'bootstrap-secret' }),
      () => undefined,
    );
    const deadline = Date.now() + 10_000;
    while (node.driver.status().role !== 'leader' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }, 30_000);

  afterAll(async () => {
    await node?.stop();
    await dropDatabase(`behavior_test_ac_${id}`);
  });

  /** Waits until the read models and the credentials have applied `position`. */
  async function applied(position: number | null): Promise<void> {
    await node.projector.waitFor(position ?? 0, 5000);
    const deadline = Date.now() + 5000;
    while (node.auth.projector.position < (position ?? 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  it('an admin resets a password: the new one logs in, the old one and the old token no longer do', async () => {
    const created = await node.commands.execute({ name: 'users.create', data: { username: 'ms.kim', password: 'first-password', role: 'teacher', displayName: 'Ms Kim' } }, admin);
    await applied(created.position);
    const before = await node.auth.service.login('ms.kim', 'first-password');
    const reset = await node.commands.execute({ name: 'users.password', data: { username: 'ms.kim', password: 'second-password' } }, admin);
    await applied(reset.position);
    await expect(node.auth.service.login('ms.kim', 'first-password')).rejects.toThrow();
    await expect(node.auth.service.login('ms.kim', 'second-password')).resolves.toMatchObject({ role: 'teacher' });
    await expect(node.auth.service.verify(before.accessToken)).rejects.toThrow(/no longer valid/);
    await expect(node.commands.execute({ name: 'users.password', data: { username: 'nobody', password: 'whatever-pass' } }, admin)).rejects.toMatchObject({ status: 404 });
  });

  it('renames a user and lists users by role, without secrets', async () => {
    const renamed = await node.commands.execute({ name: 'users.update', data: { username: 'ms.kim', displayName: 'Kim Laoshi' } }, admin);
    await applied(renamed.position);
    const users = new UsersRepository(readModelDb(node.db));
    const teachers = await users.listUsers({ role: 'teacher' });
    expect(teachers).toMatchObject({ total: 1, items: [{ username: 'ms.kim', displayName: 'Kim Laoshi', role: 'teacher', disabled: false }] });
    expect(JSON.stringify(await users.listUsers())).not.toMatch(/hash|password/i);
    expect((await users.listUsers({ role: 'admin' })).items.every((u) => u.role === 'admin')).toBe(true);
  });

  it('freezes and unfreezes a student: a frozen score refuses changes (409)', async () => {
    await node.commands.execute({ name: 'students.register', data: { studentId: 's1', name: 'Ada', className: '7a' } }, admin);
    const frozen = await node.commands.execute({ name: 'students.freeze', data: { studentId: 's1' } }, admin);
    await applied(frozen.position);
    expect(await new StudentsRepository(readModelDb(node.db)).getStudent('s1')).toMatchObject({ frozen: true });
    await expect(node.commands.execute({ name: 'scores.modify', data: { studentId: 's1', delta: 1, reason: 'x' } }, admin)).rejects.toMatchObject({ status: 409 });
    await expect(node.commands.execute({ name: 'students.freeze', data: { studentId: 's1' } }, admin)).rejects.toMatchObject({ status: 409 });
    const thawed = await node.commands.execute({ name: 'students.unfreeze', data: { studentId: 's1' } }, admin);
    await applied(thawed.position);
    expect(await new StudentsRepository(readModelDb(node.db)).getStudent('s1')).toMatchObject({ frozen: false });
    await expect(node.commands.execute({ name: 'students.freeze', data: { studentId: 's1' } }, { username: 'tina', role: 'teacher' })).rejects.toMatchObject({ status: 403 });
  });
});
