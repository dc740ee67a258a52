import { ballot, cluster } from './harness';

// The reason a replica gives for its role is what the node logs with each election and step-down.
describe('replica: why it holds its role', () => {
  it('starts a follower, campaigns on an election timeout, and leads after winning', () => {
    const h = cluster({ nodes: 3 });
    expect(h.status('n1')).toMatchObject({ role: 'follower', roleReason: 'started' });
    h.campaign('n1');
    expect(h.status('n1')).toMatchObject({ role: 'candidate', roleReason: 'election-timeout' });
    h.deliver({ type: 'Phase1a', from: 'n1', to: 'n2' });
    h.drop({ type: 'Phase1a', from: 'n1' });
    h.deliver({ type: 'Phase1b', to: 'n1' });
    expect(h.status('n1')).toMatchObject({ role: 'leader', roleReason: 'won-election', ballot: ballot(1, 'n1') });
  });

  it('a leader that gets a Nack with a higher promise steps down, naming the Nack', () => {
    const h = cluster({ nodes: 3 });
    // given n1 leads, and n3 has since won n2's promise for a higher ballot
    h.elect('n1', ['n2']);
    h.drop({ type: 'Commit' });
    h.campaign('n3');
    h.drop({ type: 'Phase1a', from: 'n3', to: 'n1' });
    h.deliver({ type: 'Phase1a', from: 'n3', to: 'n2' });
    // when n1's Phase2a is refused by n2
    h.propose('n1', 'X');
    h.drop({ type: 'Phase2a', to: 'n3' });
    h.deliver({ type: 'Phase2a', from: 'n1', to: 'n2' });
    h.deliver({ type: 'Nack', to: 'n1' });
    // then n1 steps down because of it
    expect(h.status('n1')).toMatchObject({ role: 'follower', roleReason: 'nack-higher-ballot' });
  });

  it('a leader that hears no quorum for an election timeout steps down as having lost it', () => {
    const h = cluster({ nodes: 3 });
    h.elect('n1', ['n2']);
    // when n1 hears from nobody: everything it sends is lost
    const ticks = h.tickUntil(() => h.status('n1').role !== 'leader', 10 * h.config('n1').electionTicksMax, ['n1']);
    expect(ticks).toBeGreaterThan(0);
    expect(h.status('n1')).toMatchObject({ role: 'follower', roleReason: 'lost-quorum' });
  });
});
