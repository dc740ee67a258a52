import { commandStatus, traceCommand } from '../../../src/http/commands/command-status';
import type { CommandOutcome } from '../../../src/application/command-log';

const tina = { username: 'tina', role: 'teacher' as const };
const root = { username: 'root', role: 'admin' as const };
const applied: CommandOutcome = { commandId: 'c1', slot: 3, status: 'applied', lastPosition: 7, result: { ok: 1 }, actor: 'tina' };

describe('commandStatus', () => {
  it('shows its own command to the actor, and any command to an admin', () => {
    expect(commandStatus('c1', applied, false, tina)).toEqual({ commandId: 'c1', status: 'applied', position: 7, result: { ok: 1 } });
    expect(commandStatus('c1', applied, false, root)).toMatchObject({ status: 'applied' });
  });

  it("hides someone else's command (404)", () => {
    expect(commandStatus('c1', applied, false, { username: 'bob', role: 'club' })).toBeNull();
  });

  it('is pending while this node waits for it, unknown otherwise', () => {
    expect(commandStatus('c2', undefined, true, tina)).toEqual({ commandId: 'c2', status: 'pending' });
    expect(commandStatus('c2', undefined, false, tina)).toBeNull();
  });

  it('reports a rejection with its reason', () => {
    const rejected: CommandOutcome = { commandId: 'c3', slot: 4, status: 'rejected', reason: 'stream moved', actor: 'tina' };
    expect(commandStatus('c3', rejected, false, tina)).toEqual({ commandId: 'c3', status: 'rejected', reason: 'stream moved' });
  });

  it('reports a recorded refusal as rejected with its reason and status', () => {
    const refused: CommandOutcome = {
      commandId: 'c4',
      slot: 5,
      status: 'rejected',
      reason: 'score would leave 0..200',
      refusal: { code: 'rule-broken', message: 'score would leave 0..200' },
      actor: 'tina',
    };
    expect(commandStatus('c4', refused, false, tina)).toEqual({ commandId: 'c4', status: 'rejected', reason: 'score would leave 0..200', statusCode: 422 });
    expect(commandStatus('c4', refused, false, { username: 'bob', role: 'club' })).toBeNull();
  });
});

describe('traceCommand', () => {
  const stale = (id: string): CommandOutcome => ({ commandId: id, slot: 1, status: 'rejected', reason: 'stream moved', actor: 'tina' });

  it('follows a decision whose streams moved to the one decided again under <id>#<n>', async () => {
    const outcomes = new Map<string, CommandOutcome>([
      ['k', stale('k')],
      ['k#1', stale('k#1')],
      ['k#2', { ...applied, commandId: 'k#2' }],
    ]);
    const trace = await traceCommand('k', async (id) => outcomes.get(id), () => false);
    expect(trace).toEqual({ outcome: outcomes.get('k#2'), waiting: false });
  });

  it('is pending while the next decision is waiting here, and stops at the first final outcome', async () => {
    const outcomes = new Map<string, CommandOutcome>([['k', stale('k')]]);
    expect(await traceCommand('k', async (id) => outcomes.get(id), (id) => id === 'k#1')).toEqual({ outcome: outcomes.get('k'), waiting: true });
    expect(await traceCommand('c1', async () => applied, () => true)).toEqual({ outcome: applied, waiting: false });
    expect(await traceCommand('none', async () => undefined, () => false)).toEqual({ outcome: undefined, waiting: false });
  });
});
