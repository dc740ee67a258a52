import type { ReplicaStatus } from '../consensus';

/**
 * How a node takes part in the public queue group: with the leader's weight, with one
 * subscription per subject (a member that serves), or not at all.
 */
export type PublicShare = 'leader' | 'member' | 'none';

/** What `publicShareOf` reads of the replica's status. */
export type ShareStatus = Pick<ReplicaStatus, 'nodeId' | 'role' | 'incarnation' | 'appliedWatermark' | 'latestMembership' | 'peers'>;

/** What `publicShareOf` needs of the node's configuration. */
export interface ShareLimits {
  /** α: how far behind the cluster's chosen slots a learner may be and still serve. */
  readonly acceptWindowSlots: number;
  /** A peer is heard when its last message is fewer ticks old than this. */
  readonly heardWithinTicks: number;
}

/**
 * This node's share of the public queue group (pure), from the newest configuration the log
 * decided:
 * - not named in it (started but not added yet, or removed), or named under another storage
 *   incarnation than this node runs (lost or restored storage): `none`. Such a node has no
 *   quorum to offer and no current read models, so it leaves the group and no client request
 *   reaches it;
 * - a voter: `leader` while it leads, else `member`;
 * - a learner: `member` once it has applied the slots chosen up to α of the newest watermark a
 *   voter it hears reports (caught up: its read models are as current as a follower's, and it
 *   hands writes to the leader like one), else `none` (still catching up, or it hears no voter).
 *
 * @example publicShareOf(status, { acceptWindowSlots: 32, heardWithinTicks: 20 }) // 'member'
 */
export function publicShareOf(status: ShareStatus, limits: ShareLimits): PublicShare {
  const latest = status.latestMembership;
  const voter = latest.voters.includes(status.nodeId);
  if (!voter && !latest.learners.includes(status.nodeId)) return 'none';
  const bound = latest.incarnations[status.nodeId];
  if (bound !== undefined && bound !== status.incarnation) return 'none';
  if (voter) return status.role === 'leader' ? 'leader' : 'member';
  const heard = status.peers.filter((p) => latest.voters.includes(p.nodeId) && p.silentTicks !== null && p.silentTicks < limits.heardWithinTicks);
  if (heard.length === 0) return 'none';
  const newest = Math.max(...heard.map((p) => p.chosenWatermark));
  return newest - status.appliedWatermark <= limits.acceptWindowSlots ? 'member' : 'none';
}
