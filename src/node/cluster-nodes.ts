import type { NatsConnection } from 'nats';
import { internalCommandSubject } from '../messaging/leader-forwarding';
import type { ClusterStatus } from './cluster-status';
import type { ConsensusNode } from './consensus-node';

/** The operator subject of one node's status, after `<prefix>.internal.<cluster>.<node>.`. */
export const NODE_STATUS_COMMAND = 'status';

/** How long a peer may take to send its status before the monitor shows it unreachable. */
export const PEER_STATUS_TIMEOUT_MS = 1000;

/** One member as it reports itself, or why it did not. */
export type ClusterNodeView =
  | { nodeId: string; reachable: true; status: ClusterStatus }
  | { nodeId: string; reachable: false; error: string };

/**
 * Every member's own status (`GET /api/cluster/nodes`): this node's from memory, each peer's
 * asked on its status subject, all at once, each bounded by `timeoutMs`. A partition shows as
 * members that answer with different leaders or ballots, or do not answer. Never rejects: a peer
 * that fails is an entry with `reachable: false`. Sorted by node id.
 */
export async function readClusterNodes(node: ConsensusNode, self: ClusterStatus, timeoutMs = PEER_STATUS_TIMEOUT_MS): Promise<ClusterNodeView[]> {
  const peers = [...new Set(self.members.map((m) => m.nodeId))].filter((id) => id !== self.nodeId);
  const { apiPrefix, clusterName } = node.config;
  const answers = await Promise.all(peers.map((id) => askNodeStatus(node.nats, apiPrefix, clusterName, id, timeoutMs)));
  const own: ClusterNodeView = { nodeId: self.nodeId, reachable: true, status: self };
  return [own, ...answers].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

/**
 * Asks one node for its status on `<prefix>.internal.<cluster>.<node>.status` (the nodes and the
 * CLI's cluster:status). Never rejects: no answer within `timeoutMs`, or a malformed one, is `reachable: false`.
 */
export async function askNodeStatus(nats: NatsConnection, apiPrefix: string, clusterName: string, nodeId: string, timeoutMs: number): Promise<ClusterNodeView> {
  try {
    const subject = internalCommandSubject(apiPrefix, clusterName, nodeId, NODE_STATUS_COMMAND);
    const reply = await nats.request(subject, new Uint8Array(), { timeout: timeoutMs });
    const status = statusOf(Buffer.from(reply.data).toString('utf8'), nodeId);
    return status === null ? { nodeId, reachable: false, error: 'malformed answer' } : { nodeId, reachable: true, status };
  } catch (error) {
    return { nodeId, reachable: false, error: requestErrorText(error) };
  }
}

/**
 * The status in a peer's answer, or null unless it is `{ok: true, data: {nodeId: <the node asked>, ...}}`.
 *
 * @example statusOf('{"ok":true,"data":{"nodeId":"n2","role":"follower"}}', 'n2') // {nodeId: 'n2', role: 'follower'}
 * @example statusOf('{"ok":true,"data":{"nodeId":"n3"}}', 'n2') // null
 */
export function statusOf(text: string, nodeId: string): ClusterStatus | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || (body as { ok?: unknown }).ok !== true) return null;
  const data = (body as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null || (data as { nodeId?: unknown }).nodeId !== nodeId) return null;
  return data as ClusterStatus;
}

/** A short, stable reason for a failed request: no responders, timeout, or the client's message. */
function requestErrorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '503') return 'no responders';
  if (code === 'TIMEOUT') return 'timeout';
  return error instanceof Error ? error.message : String(error);
}
