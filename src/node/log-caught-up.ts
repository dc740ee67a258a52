import type { ReplicaStatus } from '../consensus';

/** What `logCaughtUp` reads of the replica's status. */
export type CaughtUpStatus = Pick<ReplicaStatus, 'role' | 'leaderId' | 'chosenWatermark' | 'appliedWatermark' | 'peers'>;

/**
 * True when this node's log holds every slot the cluster has chosen, as far as it can tell
 * (pure): it leads, or it heard its leader within `heardWithinTicks`, and it has applied up to
 * the newest chosen watermark it knows (its own, and its leader's). False without a leader: a
 * node that hears none cannot tell what it misses.
 *
 * @example logCaughtUp(driver.status(), config.consensus.electionTicksMin) // false on a learner still catching up
 */
export function logCaughtUp(status: CaughtUpStatus, heardWithinTicks: number): boolean {
  if (status.leaderId === null) return false;
  let newest = status.chosenWatermark;
  if (status.role !== 'leader') {
    const leader = status.peers.find((p) => p.nodeId === status.leaderId);
    if (leader === undefined || leader.silentTicks === null || leader.silentTicks >= heardWithinTicks) return false;
    newest = Math.max(newest, leader.chosenWatermark);
  }
  return status.appliedWatermark >= newest;
}
