import { commandStatus } from '../../../src/http/commands/command-status';
import type { CommandOutcome } from '../../../src/infra/mysql/command-record';

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
});
