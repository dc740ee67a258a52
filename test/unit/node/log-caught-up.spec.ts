import type { PeerStatus } from '../../../src/consensus';
import { type CaughtUpStatus, logCaughtUp } from '../../../src/node/log-caught-up';

function peer(nodeId: string, chosenWatermark: number, silentTicks: number | null = 1): PeerStatus {
  return { nodeId, silentTicks, chosenWatermark, incarnation: null, role: 'voter', caughtUp: true };
}

function status(over: Partial<CaughtUpStatus> = {}): CaughtUpStatus {
  return { role: 'follower', leaderId: 'n1', chosenWatermark: 500, appliedWatermark: 500, peers: [peer('n1', 500), peer('n2', 100)], ...over };
}

describe('logCaughtUp', () => {
  it('holds for a follower that heard its leader lately and applied up to the leader\'s watermark', () => {
    expect(logCaughtUp(status(), 30)).toBe(true);
  });

  it('fails for a follower behind its leader\'s watermark, or behind its own chosen slots', () => {
    expect(logCaughtUp(status({ peers: [peer('n1', 900)] }), 30)).toBe(false);
    expect(logCaughtUp(status({ chosenWatermark: 520 }), 30)).toBe(false);
  });

  it('fails without a leader, or with one not heard lately: the node cannot tell what it misses', () => {
    expect(logCaughtUp(status({ leaderId: null }), 30)).toBe(false);
    expect(logCaughtUp(status({ peers: [peer('n1', 500, 30)] }), 30)).toBe(false);
    expect(logCaughtUp(status({ peers: [peer('n1', 500, null)] }), 30)).toBe(false);
    expect(logCaughtUp(status({ peers: [] }), 30)).toBe(false);
  });

  it('holds for a leader that applied what it chose', () => {
    expect(logCaughtUp(status({ role: 'leader', leaderId: 'n3', peers: [] }), 30)).toBe(true);
    expect(logCaughtUp(status({ role: 'leader', leaderId: 'n3', appliedWatermark: 499, peers: [] }), 30)).toBe(false);
  });
});
