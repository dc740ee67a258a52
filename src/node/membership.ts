import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { type ChangeOutcome, NODE_ID_PATTERN } from '../consensus';
import { internalCommandSubject } from '../messaging/leader-forwarding';
import type { ConsensusNode } from './consensus-node';

/** The operator subject of membership changes, after `<prefix>.internal.<cluster>.<node>.`. */
export const MEMBERSHIP_COMMAND = 'membership';

/** A membership change as an operator asks for it (CLI, REST). */
export interface MembershipRequest {
  readonly op: 'add-learner' | 'promote' | 'remove';
  readonly nodeId: string;
}

/** What the leader answers: the change decided (and in force), or why not. */
export type MembershipAnswer =
  | {
      readonly ok: true;
      readonly leaderId: string;
      readonly change: ChangeOutcome['change'];
      readonly slot: number;
      /** The first slot the new configuration governs; the answer comes once the log reached it. */
      readonly effectiveSlot: number;
    }
  | {
      readonly ok: false;
      readonly error: 'not-leader' | 'refused' | 'timeout' | 'bad-request' | 'unreachable';
      readonly message: string;
      readonly leaderId?: string | null;
    };

/** How long a leader waits for its change to be chosen and in force before it answers `timeout`. */
export const MEMBERSHIP_TIMEOUT_MS = 10_000;

/**
 * Whether a refused promotion may succeed if asked again later: the learner was not heard from
 * or not caught up when the leader checked (writes go on, so "caught up" comes and goes).
 */
export function promotionNotYet(refusal: string): boolean {
  return /not caught up|not been heard/.test(refusal);
}

/** Reads a request body: `{op, nodeId}` with a known op and a valid node id; null otherwise. */
export function membershipRequestOf(body: unknown): MembershipRequest | null {
  if (typeof body !== 'object' || body === null) return null;
  const { op, nodeId } = body as Record<string, unknown>;
  if (op !== 'add-learner' && op !== 'promote' && op !== 'remove') return null;
  if (typeof nodeId !== 'string' || !NODE_ID_PATTERN.test(nodeId)) return null;
  if (Object.keys(body).length !== 2) return null;
  return { op, nodeId };
}

/**
 * On the leader: decides one membership change through the log and waits until it is chosen
 * and in force (the leader fills the α slots in between with no-ops). A follower answers
 * `not-leader` with the leader it knows.
 */
export async function changeMembership(node: ConsensusNode, request: MembershipRequest, timeoutMs = MEMBERSHIP_TIMEOUT_MS): Promise<MembershipAnswer> {
  const id = `${request.op}-${request.nodeId}-${randomUUID().slice(0, 8)}`;
  const result = node.driver.proposeChange({ id, op: request.op, nodeId: request.nodeId });
  if (result.status === 'not-leader') return { ok: false, error: 'not-leader', message: `${node.config.nodeId} does not lead`, leaderId: result.leaderId };
  if (result.status === 'refused') return { ok: false, error: 'refused', message: result.reason, leaderId: node.config.nodeId };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = node.driver.status();
    const outcome = status.configChanges.find((c) => c.change.id === id);
    if (outcome !== undefined) {
      if (outcome.refused !== null) return { ok: false, error: 'refused', message: outcome.refused, leaderId: node.config.nodeId };
      const effectiveSlot = outcome.effectiveSlot as number;
      if (status.chosenWatermark >= effectiveSlot - 1) {
        return { ok: true, leaderId: node.config.nodeId, change: outcome.change, slot: outcome.slot, effectiveSlot };
      }
    }
    if (Date.now() > deadline) {
      return { ok: false, error: 'timeout', message: `change ${id} not ${outcome ? 'in force' : 'chosen'} within ${timeoutMs} ms (leader ${status.leaderId ?? 'none'})`, leaderId: status.leaderId };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(5, node.config.tickMs)));
  }
}

/**
 * Asks node `nodeId` over NATS (`<prefix>.internal.<cluster>.<node>.membership`) to make a
 * change. Never rejects: no answer is `unreachable`.
 */
export async function askMembership(
  nats: NatsConnection,
  apiPrefix: string,
  clusterName: string,
  nodeId: string,
  request: MembershipRequest,
  timeoutMs = MEMBERSHIP_TIMEOUT_MS + 2000,
): Promise<MembershipAnswer> {
  try {
    const subject = internalCommandSubject(apiPrefix, clusterName, nodeId, MEMBERSHIP_COMMAND);
    const reply = await nats.request(subject, Buffer.from(JSON.stringify(request)), { timeout: timeoutMs });
    const answer = JSON.parse(Buffer.from(reply.data).toString('utf8')) as MembershipAnswer;
    if (typeof answer !== 'object' || answer === null || typeof answer.ok !== 'boolean') return { ok: false, error: 'unreachable', message: `${nodeId}: malformed answer` };
    return answer;
  } catch (error) {
    return { ok: false, error: 'unreachable', message: `${nodeId}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Sends a change to the leader: first to `firstAsk`, then, while a node answers `not-leader`
 * naming another, to that one (at most a few hops).
 */
export async function askLeaderForMembership(
  nats: NatsConnection,
  apiPrefix: string,
  clusterName: string,
  firstAsk: string,
  request: MembershipRequest,
): Promise<MembershipAnswer> {
  let target = firstAsk;
  let answer: MembershipAnswer = { ok: false, error: 'unreachable', message: 'not asked' };
  for (let hop = 0; hop < 4; hop++) {
    answer = await askMembership(nats, apiPrefix, clusterName, target, request);
    if (answer.ok || answer.error !== 'not-leader' || !answer.leaderId || answer.leaderId === target) return answer;
    target = answer.leaderId;
  }
  return answer;
}
