import type { ClusterNode, ClusterStatus } from '@/lib/api/types';

/** What the answering nodes say together: the view most share, and who differs or is silent. */
export interface ClusterAgreement {
  /** Statuses of the nodes that answered, by node id. */
  answered: ClusterStatus[];
  /** Ids of the nodes that did not answer. */
  unreachable: string[];
  /** The leader most answering nodes follow (null: none, or no node answered). */
  leaderId: string | null;
  /** The ballot most answering nodes are at. */
  ballot: string | null;
  /** Whether the answering nodes name more than one leader (a node naming none counts as one view). */
  leadersDisagree: boolean;
  /** Whether the answering nodes are at more than one ballot. */
  ballotsDisagree: boolean;
  /** Ids of the answering nodes whose leader or ballot is not the one most share. */
  differing: string[];
  /** Each view of the leader and the nodes holding it, e.g. [['n1', ['n1', 'n2']], [null, ['n3']]]. */
  leaderViews: [string | null, string[]][];
  /** The status to chart: the common leader's own when it answered, else the first that answered. */
  reference: ClusterStatus | undefined;
}

/**
 * Compares the nodes' own views.
 *
 * @example agreementOf([{nodeId: 'n1', reachable: true, status: {leaderId: 'n1', ballot: '3.n1', ...}},
 *   {nodeId: 'n2', reachable: true, status: {leaderId: 'n2', ballot: '4.n2', ...}}]).leadersDisagree // true
 */
export function agreementOf(nodes: readonly ClusterNode[]): ClusterAgreement {
  const answered = nodes.flatMap((n) => (n.reachable && n.status ? [n.status] : []));
  const unreachable = nodes.filter((n) => !n.reachable || !n.status).map((n) => n.nodeId);
  const leaderViews = groupBy(answered, (s) => s.leaderId);
  const ballotViews = groupBy(answered, (s) => s.ballot);
  const leaderId = leaderViews[0]?.[0] ?? null;
  const ballot = ballotViews[0]?.[0] ?? null;
  const differing = answered.filter((s) => s.leaderId !== leaderId || s.ballot !== ballot).map((s) => s.nodeId);
  const reference = answered.find((s) => leaderId !== null && s.nodeId === leaderId) ?? answered[0];
  return { answered, unreachable, leaderId, ballot, leadersDisagree: leaderViews.length > 1, ballotsDisagree: ballotViews.length > 1, differing, leaderViews, reference };
}

/** Groups statuses by a key, the largest group first (ties: the smaller key first, for a stable display). */
function groupBy<K extends string | null>(statuses: readonly ClusterStatus[], key: (s: ClusterStatus) => K): [K, string[]][] {
  const groups = new Map<K, string[]>();
  for (const s of statuses) groups.set(key(s), [...(groups.get(key(s)) ?? []), s.nodeId]);
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length || String(a[0]).localeCompare(String(b[0])));
}

/** Sagas needing an operator as any answering node reports them, each once. */
export function sagasNeedingOperator(answered: readonly ClusterStatus[]): NonNullable<ClusterStatus['sagas']>['needingOperator'] {
  const seen = new Map<string, NonNullable<ClusterStatus['sagas']>['needingOperator'][number]>();
  for (const s of answered) for (const saga of s.sagas?.needingOperator ?? []) if (!seen.has(saga.sagaId)) seen.set(saga.sagaId, saga);
  return [...seen.values()];
}
