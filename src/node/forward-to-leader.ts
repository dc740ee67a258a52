import type { CommandAnswer } from '../application/command-gateway';

/** How many leaders one command is handed to before the follower gives up (a leader change each). */
export const FORWARD_LEADERS_MAX = 3;
/** How long a follower waits for a leader to be elected after the one it asked went away. */
export const LEADER_WAIT_MS = 5_000;

/** What forwardToLeader needs of the node. */
export interface LeaderWatch {
  /** The leader this node follows now (null: none known). */
  leaderId(): string | null;
  /** This node's id: a command whose leader is this node is decided here, not forwarded. */
  readonly self: string;
  /** How often the leader is looked at while waiting, in ms. */
  readonly pollMs: number;
}

/**
 * Hands a command to the leader and resolves with its answer. When the leader changes while the
 * answer is awaited (it died, or lost its quorum and another was elected), the same command is
 * handed to the new leader: it carries the same command id, so it is applied at most once
 * whichever of the two decided it. Without this a follower waited for the dead leader's
 * forwarding timeout (seconds) before answering.
 * Resolves null when no other node leads (the caller decides here or answers 503).
 */
export async function forwardToLeader(watch: LeaderWatch, send: (leaderId: string) => Promise<CommandAnswer | null>): Promise<CommandAnswer | null> {
  let leaderId = watch.leaderId();
  for (let hop = 0; hop < FORWARD_LEADERS_MAX && leaderId !== null && leaderId !== watch.self; hop++) {
    const sent = send(leaderId);
    const outcome = await Promise.race([sent.then((answer) => ({ answer })), leaderLeft(watch, leaderId, sent)]);
    if (outcome !== 'left') return outcome.answer;
    sent.catch(() => undefined); // the old leader's late answer or error is no longer awaited
    leaderId = await nextLeader(watch, leaderId);
  }
  return null;
}

/** Resolves 'left' once the node follows another leader than `leaderId` (or none); never while `sent` is pending otherwise. */
async function leaderLeft(watch: LeaderWatch, leaderId: string, sent: Promise<unknown>): Promise<'left'> {
  let settled = false;
  sent.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled && watch.leaderId() === leaderId) await sleep(watch.pollMs);
  // Once `sent` settled, the race is already won by it; this value is ignored.
  return 'left';
}

/** The next leader known within LEADER_WAIT_MS (null: none). */
async function nextLeader(watch: LeaderWatch, previous: string): Promise<string | null> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const leaderId = watch.leaderId();
    if (leaderId !== null && leaderId !== previous) return leaderId;
    if (Date.now() >= deadline) return leaderId;
    await sleep(watch.pollMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
