import type { CommandAnswer } from '../../../src/application/command-gateway';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { forwardToLeader } from '../../../src/node/forward-to-leader';

const answer = (commandId: string): CommandAnswer => ({ commandId, position: 7, result: {}, duplicate: false });

/** A follower's view of the leader that the test moves. */
function watch(initial: string | null) {
  let leader = initial;
  return { view: { leaderId: () => leader, self: 'n2', pollMs: 5 }, set: (id: string | null) => (leader = id) };
}

describe('forwardToLeader', () => {
  it('given a leader that answers, then its answer is returned and it is asked once', async () => {
    const w = watch('n1');
    const asked: string[] = [];
    const result = await forwardToLeader(w.view, async (leaderId) => {
      asked.push(leaderId);
      return answer('c1');
    });
    expect(result).toEqual(answer('c1'));
    expect(asked).toEqual(['n1']);
  });

  it('given the leader dies with the command in hand, when another is elected, then the same command goes to the new leader at once (not after the old one times out)', async () => {
    const w = watch('n1');
    const asked: string[] = [];
    const pending = forwardToLeader(w.view, (leaderId) => {
      asked.push(leaderId);
      // n1 never answers (it was killed); n3 answers.
      return leaderId === 'n1' ? new Promise<CommandAnswer | null>(() => undefined) : Promise.resolve(answer(`from-${leaderId}`));
    });
    await new Promise((r) => setTimeout(r, 30));
    w.set(null); // the election runs
    await new Promise((r) => setTimeout(r, 30));
    w.set('n3');
    await expect(pending).resolves.toEqual(answer('from-n3'));
    expect(asked).toEqual(['n1', 'n3']);
  });

  it('given the new leader is this node, then it resolves null so the command is decided here', async () => {
    const w = watch('n1');
    const pending = forwardToLeader(w.view, () => new Promise<CommandAnswer | null>(() => undefined));
    await new Promise((r) => setTimeout(r, 20));
    w.set('n2');
    await expect(pending).resolves.toBeNull();
  });

  it('given a refusal from the leader, then it is thrown to the caller, not retried', async () => {
    const w = watch('n1');
    let calls = 0;
    const refused = forwardToLeader(w.view, async () => {
      calls++;
      throw new DomainRefusal({ code: 'not-found', message: 'no such student' });
    });
    await expect(refused).rejects.toBeInstanceOf(DomainRefusal);
    expect(calls).toBe(1);
  });

  it('given no leader, then nothing is sent', async () => {
    const send = jest.fn();
    await expect(forwardToLeader(watch(null).view, send)).resolves.toBeNull();
    expect(send).not.toHaveBeenCalled();
  });
});
