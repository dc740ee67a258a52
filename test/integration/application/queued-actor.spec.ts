import type { ApiCommand } from '../../../src/application/command-gateway';
import type { Actor } from '../../../src/domain';
import { CommandsController } from '../../../src/http/commands/commands.controller';
import { type PublicNode, startPublicNode } from '../messaging/public-nats-support';

const admin: Actor = { username: 'headmaster', role: 'admin' };
const submit = (reason: string): ApiCommand => ({ name: 'applications.submit', data: { studentId: 's1', delta: 2, reason } });

/**
 * Writes queued with `Prefer: respond-async` are proposed later, when the quorum is back: by then
 * their actor may be disabled or hold another role. A single-member node on the real MySQL and
 * NATS; its queue loop is stopped so the test decides when the queue drains (as a quorum returning would).
 */
describe('a queued command re-checks its actor when it is proposed', () => {
  let n: PublicNode;
  let controller: CommandsController;

  beforeAll(async () => {
    n = await startPublicNode('qa');
    await n.node.commandQueue.stop();
    controller = new CommandsController(n.node);
    for (const username of ['tina', 'tom', 'tess'])
      await n.node.commands.execute({ name: 'users.create', data: { username, password: 'teacher-pass', role: 'teacher', displayName: username } }, admin);
    await n.node.commands.execute({ name: 'students.register', data: { studentId: 's1', name: 'Ada', className: '7a' } }, admin);
  }, 60_000);

  afterAll(async () => {
    await n?.stop();
  });

  const queuedRow = (commandId: string) => n.node.db.selectFrom('queued_commands').selectAll().where('command_id', '=', commandId).executeTakeFirst();

  it('given commands queued by tina, tom and tess, when tina is disabled and tom becomes club before the queue drains, then theirs are rejected with a reason and their rows are gone; tess\'s applies', async () => {
    const tina: Actor = { username: 'tina', role: 'teacher' };
    const tom: Actor = { username: 'tom', role: 'teacher' };
    const tess: Actor = { username: 'tess', role: 'teacher' };
    await n.node.commandQueue.enqueue('q-tina', submit('queued by tina'), tina);
    await n.node.commandQueue.enqueue('q-tom', submit('queued by tom'), tom);
    await n.node.commandQueue.enqueue('q-tess', submit('queued by tess'), tess);
    expect(await controller.status('q-tina', tina)).toEqual({ commandId: 'q-tina', status: 'pending' });

    await n.node.commands.execute({ name: 'users.update', data: { username: 'tina', disabled: true } }, admin);
    await n.node.commands.execute({ name: 'users.update', data: { username: 'tom', role: 'club' } }, admin);
    expect(await n.node.commandQueue.drainOnce()).toBe(3);

    expect(await queuedRow('q-tina')).toBeUndefined();
    expect(await queuedRow('q-tom')).toBeUndefined();
    expect(await queuedRow('q-tess')).toBeUndefined();
    expect(await controller.status('q-tina', tina)).toMatchObject({ status: 'rejected', statusCode: 403, reason: expect.stringMatching(/tina is disabled/) });
    expect(await controller.status('q-tom', admin)).toMatchObject({ status: 'rejected', statusCode: 403, reason: expect.stringMatching(/tom is club now, not teacher/) });
    expect(await controller.status('q-tess', tess)).toMatchObject({ status: 'applied', result: { applicationId: expect.any(String) } });
    // The read model is written by the projector after the log: wait (bounded) until it has caught up.
    for (let i = 0; i < 200 && n.node.projector.position < n.node.events.writtenHead; i++) await new Promise((r) => setTimeout(r, 50));
    const applications = await n.node.db.selectFrom('applications').select('submitted_by').execute();
    expect(applications.map((a) => a.submitted_by)).toEqual(['tess']);
  });
});
