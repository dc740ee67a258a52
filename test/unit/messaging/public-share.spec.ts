import type { Membership, PeerStatus } from '../../../src/consensus';
import { type ShareStatus, publicShareOf } from '../../../src/messaging/public-share';

const limits = { acceptWindowSlots: 32, heardWithinTicks: 30 };

function membership(voters: string[], learners: string[] = [], incarnations: Record<string, string> = {}): Membership {
  return { version: 1, voters, learners, phase1Quorum: 2, phase2Quorum: 2, incarnations };
}

function peer(nodeId: string, chosenWatermark: number, silentTicks: number | null = 1): PeerStatus {
  return { nodeId, silentTicks, chosenWatermark, incarnation: null, role: 'voter', caughtUp: true };
}

function status(over: Partial<ShareStatus> = {}): ShareStatus {
  return {
    nodeId: 'n4',
    role: 'follower',
    incarnation: 'inc-n4',
    appliedWatermark: 1000,
    latestMembership: membership(['n1', 'n2', 'n3']),
    peers: [peer('n1', 1000), peer('n2', 1000), peer('n3', 1000)],
    ...over,
  };
}

describe('publicShareOf', () => {
  it('gives a node the configuration does not name no share: started but not added yet, or removed', () => {
    expect(publicShareOf(status(), limits)).toBe('none');
    // A removed leader keeps leading until it hands over: it still leaves the group at once.
    expect(publicShareOf(status({ nodeId: 'n1', role: 'leader', latestMembership: membership(['n2', 'n3']) }), limits)).toBe('none');
  });

  it('gives a voter the leader\'s share while it leads and a member\'s otherwise, whether caught up or not', () => {
    const voters = membership(['n1', 'n2', 'n4']);
    expect(publicShareOf(status({ latestMembership: voters, role: 'leader' }), limits)).toBe('leader');
    expect(publicShareOf(status({ latestMembership: voters }), limits)).toBe('member');
    expect(publicShareOf(status({ latestMembership: voters, role: 'candidate', peers: [] }), limits)).toBe('member');
    // Founding voters are unbound until the leader binds them.
    expect(publicShareOf(status({ nodeId: 'n1', latestMembership: membership(['n1', 'n2', 'n3']) }), limits)).toBe('member');
  });

  it('gives no share to a node named under another storage incarnation (lost or restored storage)', () => {
    const bound = membership(['n1', 'n2', 'n4'], [], { n4: 'inc-old' });
    expect(publicShareOf(status({ latestMembership: bound }), limits)).toBe('none');
    expect(publicShareOf(status({ latestMembership: membership(['n1', 'n2', 'n4'], [], { n4: 'inc-n4' }) }), limits)).toBe('member');
  });

  it('gives a learner a member\'s share once within α of the newest watermark a voter it hears reports, none before', () => {
    const learner = membership(['n1', 'n2', 'n3'], ['n4']);
    expect(publicShareOf(status({ latestMembership: learner, appliedWatermark: 10, peers: [peer('n1', 5000)] }), limits)).toBe('none');
    expect(publicShareOf(status({ latestMembership: learner, appliedWatermark: 4967, peers: [peer('n1', 5000)] }), limits)).toBe('none');
    expect(publicShareOf(status({ latestMembership: learner, appliedWatermark: 4968, peers: [peer('n1', 5000)] }), limits)).toBe('member');
    // The newest watermark heard counts, not the laggard's.
    expect(publicShareOf(status({ latestMembership: learner, appliedWatermark: 100, peers: [peer('n2', 100), peer('n1', 5000)] }), limits)).toBe('none');
  });

  it('gives a learner that hears no voter (or only stale ones, or only learners) no share: it cannot tell it is caught up', () => {
    const learner = membership(['n1', 'n2', 'n3'], ['n4', 'n5']);
    expect(publicShareOf(status({ latestMembership: learner, peers: [] }), limits)).toBe('none');
    expect(publicShareOf(status({ latestMembership: learner, peers: [peer('n1', 1000, 30), peer('n2', 1000, null)] }), limits)).toBe('none');
    expect(publicShareOf(status({ latestMembership: learner, peers: [peer('n5', 1000)] }), limits)).toBe('none');
    expect(publicShareOf(status({ latestMembership: learner, peers: [peer('n1', 1000, 29)] }), limits)).toBe('member');
  });
});
