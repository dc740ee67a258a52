import { type Msg, type MsgHdrs, headers as natsHeaders } from 'nats';
import type { ConsensusNode } from '../node/consensus-node';

/** Header counting how often a request was handed on, so a stale view cannot bounce it forever. */
export const FORWARD_HOPS_HEADER = 'Behavior-Forward-Hops';
const FORWARD_HOPS_MAX = 2;

/** The subject on which node `nodeId` takes commands handed on by its peers (nodes only). */
export function internalCommandSubject(prefix: string, cluster: string, nodeId: string, command: string): string {
  return `${prefix}.internal.${cluster}.${nodeId}.${command}`;
}

/** How long a forwarded request may wait for the leader before this node proposes it itself. */
export const FORWARD_TIMEOUT_MS = 1000;

/**
 * Hands a client's NATS request to the leader, which decides it (ARCHITECTURE.md, write path
 * step 2), and relays the leader's answer. The request carries its command id, so when the
 * leader does not answer (gone: NATS says no responders at once; hung: after
 * FORWARD_TIMEOUT_MS) this node can propose the same command itself without risk of applying
 * it twice.
 *
 * @returns 'answered' when the leader's answer went to the client; 'here' when this node should
 * run the command itself (it leads, no leader is seen lately, the request was handed on too
 * often, or the leader did not answer).
 */
export async function forwardToLeader(node: ConsensusNode, msg: Msg, command: string, commandId: string): Promise<'answered' | 'here'> {
  const { leaderId, role } = node.driver.status();
  const hops = Number(msg.headers?.get(FORWARD_HOPS_HEADER) || 0);
  if (role === 'leader' || leaderId === null || leaderId === node.config.nodeId || hops >= FORWARD_HOPS_MAX) return 'here';
  if (!node.hasQuorum()) return 'here';
  const headers = copyHeaders(msg.headers);
  headers.set(FORWARD_HOPS_HEADER, String(hops + 1));
  headers.set('Idempotency-Key', commandId);
  const { apiPrefix, clusterName } = node.config;
  try {
    const answer = await node.nats.request(internalCommandSubject(apiPrefix, clusterName, leaderId, command), msg.data, {
      headers,
      timeout: FORWARD_TIMEOUT_MS,
    });
    if (msg.reply) msg.respond(answer.data, { headers: answer.headers });
    return 'answered';
  } catch {
    return 'here';
  }
}

function copyHeaders(source: MsgHdrs | undefined): MsgHdrs {
  const copy = natsHeaders();
  if (!source) return copy;
  for (const key of source.keys()) for (const value of source.values(key)) copy.append(key, value);
  return copy;
}
