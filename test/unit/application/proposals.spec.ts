import type { ClientValue, ProposeResult } from '../../../src/consensus';
import { NoQuorumError, UnknownOutcomeError } from '../../../src/application/proposal-errors';
import { type ProposalPort, ProposalService } from '../../../src/application/proposals';
import type { CommandOutcome } from '../../../src/application/command-log';

/** A port standing in for the node: records offers; the test decides quorum and outcomes. */
class FakeNode implements ProposalPort {
  offers: string[] = [];
  quorum = true;
  result: ProposeResult = { status: 'queued' };
  private listener: (o: readonly CommandOutcome[]) => void = () => undefined;
  readonly remembered = new Map<string, CommandOutcome>();
  propose(values: readonly ClientValue[]): ProposeResult {
    this.offers.push(...values.map((v) => v.id));
    return this.result;
  }
  recentOutcome(id: string) {
    return this.remembered.get(id);
  }
  onApplied(listener: (o: readonly CommandOutcome[]) => void): void {
    this.listener = listener;
  }
  hasQuorum() {
    return this.quorum;
  }
  decide(...outcomes: CommandOutcome[]) {
    this.listener(outcomes);
  }
}

const value = (id: string): ClientValue => ({ id, payload: '{}' });
const applied = (commandId: string, slot = 1): CommandOutcome => ({ commandId, slot, status: 'applied', firstPosition: slot });

describe('ProposalService', () => {
  let node: FakeNode;
  let service: ProposalService;
  beforeEach(() => {
    jest.useFakeTimers();
    node = new FakeNode();
    service = new ProposalService(node, { noQuorumMs: 1500, timeoutMs: 10_000, resendMs: 250 });
  });
  afterEach(() => {
    service.close();
    jest.useRealTimers();
  });

  it('answers with the outcome once it is decided, and a second caller of the same id gets the same', async () => {
    const first = service.propose(value('a'));
    const second = service.propose(value('a'));
    expect(node.offers).toEqual(['a']);
    node.decide(applied('a', 7));
    await expect(first).resolves.toMatchObject({ commandId: 'a', slot: 7 });
    await expect(second).resolves.toMatchObject({ commandId: 'a', slot: 7 });
    expect(service.waitingCount).toBe(0);
  });

  it('answers a remembered id at once, marked as a duplicate, without proposing', async () => {
    node.remembered.set('old', applied('old', 3));
    await expect(service.propose(value('old'))).resolves.toMatchObject({ slot: 3, duplicate: true });
    expect(node.offers).toEqual([]);
  });

  it('offers the value again while it waits, since a forwarded value may be lost', () => {
    void service.propose(value('b')).catch(() => undefined);
    jest.advanceTimersByTime(800);
    expect(node.offers.filter((id) => id === 'b').length).toBeGreaterThanOrEqual(3);
  });

  it('fails with no quorum within 2 s when no leader with a quorum is seen', async () => {
    node.quorum = false;
    node.result = { status: 'no-leader' };
    const pending = service.propose(value('c'));
    const failed = expect(pending).rejects.toBeInstanceOf(NoQuorumError);
    jest.advanceTimersByTime(1999);
    await failed;
  });

  it('gives up as unknown after the timeout when a quorum is there but the value is not decided', async () => {
    const pending = service.propose(value('d'));
    const failed = expect(pending).rejects.toBeInstanceOf(UnknownOutcomeError);
    jest.advanceTimersByTime(10_200);
    await failed;
  });
});
