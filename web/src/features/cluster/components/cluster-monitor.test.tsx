import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ClusterNode, ClusterStatus } from '@/lib/api/types';
import { renderWithProviders } from '@/test/render';
import { ClusterNodesView } from './cluster-monitor';

function status(nodeId: string, leaderId: string | null, ballot: string, reaches: Record<string, boolean>): ClusterStatus {
  return {
    nodeId,
    role: leaderId === nodeId ? 'leader' : 'follower',
    leaderId,
    ballot,
    chosenSlot: 12,
    appliedSlot: 10,
    httpPort: null,
    members: Object.entries(reaches).map(([id, reachable]) => ({ nodeId: id, reachable, lastSeenMs: reachable ? 40 : null, appliedSlot: 10 })),
    proposals: { chosen: 10, failed: 0, inFlight: 0 },
    projections: [{ name: 'read-models', position: 30, lag: 2 }],
    sagas: { open: 0, needingOperator: [] },
  };
}

const up = (s: ClusterStatus): ClusterNode => ({ nodeId: s.nodeId, reachable: true, status: s });

describe('the cluster monitor', () => {
  it("shows each node's own view and marks a partition: two leaders, two ballots, a silent node", () => {
    // n1 still believes it leads at ballot 3; n2 and n3 moved on to n2 at ballot 4; n4 is silent.
    const nodes: ClusterNode[] = [
      up(status('n1', 'n1', '3.n1', { n2: false, n3: false, n4: false })),
      up(status('n2', 'n2', '4.n2', { n1: false, n3: true, n4: false })),
      up(status('n3', 'n2', '4.n2', { n1: false, n2: true, n4: false })),
      { nodeId: 'n4', reachable: false, error: 'timeout' },
    ];
    renderWithProviders(<ClusterNodesView nodes={nodes} updatedAt={1000} />);

    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts.some((text) => text?.includes('Nodes disagree about the leader: n2, n3 → n2; n1 → n1'))).toBe(true);
    expect(alerts.some((text) => text?.includes('Nodes are at different ballots: n1 3.n1, n2 4.n2, n3 4.n2'))).toBe(true);
    expect(alerts.some((text) => text?.includes('No answer from n4'))).toBe(true);

    const n1 = screen.getByRole('region', { name: 'Node n1' });
    expect(within(n1).getByText('differs')).toBeInTheDocument();
    expect(within(n1).getByText('3.n1')).toBeInTheDocument();
    expect(within(n1).getByText('n2 unreachable')).toBeInTheDocument();
    const n3 = screen.getByRole('region', { name: 'Node n3' });
    expect(within(n3).queryByText('differs')).toBeNull();
    expect(within(n3).getByText('follower')).toBeInTheDocument();
    expect(within(n3).getByText('n2 seen 40 ms ago')).toBeInTheDocument();
    expect(within(n3).getByText('lag 2')).toBeInTheDocument();
    const n4 = screen.getByRole('region', { name: 'Node n4' });
    expect(within(n4).getByText('No answer')).toBeInTheDocument();
    expect(within(n4).getByText(/did not answer \(timeout\)/)).toBeInTheDocument();
  });

  it("shows each node's place in the configuration: voters, a learner catching up, a node that does not vote", () => {
    const configuration = { version: 2, voters: ['n1', 'n2', 'n3'], learners: ['n4'], fromSlot: 40, changes: [] };
    const withMembers = (s: ClusterStatus, roles: Record<string, 'voter' | 'learner' | 'none'>, extra: Partial<ClusterStatus> = {}): ClusterStatus => ({
      ...s,
      ...extra,
      configuration,
      members: Object.entries(roles).map(([id, role]) => ({ nodeId: id, role, reachable: true, lastSeenMs: 40, appliedSlot: 10, caughtUp: id !== 'n4' })),
    });
    const roles = { n1: 'voter', n2: 'voter', n3: 'voter', n4: 'learner' } as const;
    const nodes: ClusterNode[] = [
      up(withMembers(status('n1', 'n1', '4.n1', {}), roles, { voting: true })),
      up(withMembers(status('n3', 'n1', '4.n1', {}), roles, { voting: false, notVotingReason: 'incarnation-mismatch' })),
      up(withMembers(status('n4', 'n1', '4.n1', {}), roles, { voting: false, notVotingReason: 'learner' })),
    ];
    renderWithProviders(<ClusterNodesView nodes={nodes} updatedAt={1000} />);

    const n1 = screen.getByRole('region', { name: 'Node n1' });
    expect(within(n1).getByText('voter')).toBeInTheDocument();
    expect(within(n1).queryByText(/not voting/)).toBeNull();
    expect(within(n1).getByText('version 2: voters n1, n2, n3; learners n4')).toBeInTheDocument();
    expect(within(n1).getByText('n4 (learner) seen 40 ms ago, catching up')).toBeInTheDocument();
    // a follower does not hear its peers' progress: it marks no one as catching up
    expect(within(screen.getByRole('region', { name: 'Node n3' })).getByText('n4 (learner) seen 40 ms ago')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: 'Node n3' })).getByText('not voting: incarnation-mismatch')).toBeInTheDocument();
    const n4 = screen.getByRole('region', { name: 'Node n4' });
    expect(within(n4).getByText('learner')).toBeInTheDocument();
    expect(within(n4).getByText('not voting: learner')).toBeInTheDocument();
  });

  it('names the one leader when every answering node agrees', () => {
    const nodes = ['n1', 'n2', 'n3'].map((id) => up(status(id, 'n2', '4.n2', {})));
    renderWithProviders(<ClusterNodesView nodes={nodes} updatedAt={1000} />);
    expect(screen.queryAllByRole('alert')).toEqual([]);
    expect(screen.getByText('Leader: n2')).toBeInTheDocument();
    expect(screen.getByText('3 of 3 nodes answer')).toBeInTheDocument();
    for (const id of ['n1', 'n2', 'n3']) expect(within(screen.getByRole('region', { name: `Node ${id}` })).queryByText('differs')).toBeNull();
  });

  it("shows the school time zone the nodes count days in, and each node's address", () => {
    const nodes = ['n1', 'n2', 'n3'].map((id, i) => up({ ...status(id, 'n2', '4.n2', {}), schoolTimeZone: 'Asia/Shanghai', httpUrl: `http://127.0.0.1:300${i + 1}` }));
    renderWithProviders(<ClusterNodesView nodes={nodes} updatedAt={1000} />);
    expect(screen.getByText('School time zone:', { exact: false })).toHaveTextContent('School time zone: Asia/Shanghai');
    expect(screen.queryAllByRole('alert')).toEqual([]);
    expect(within(screen.getByRole('region', { name: 'Node n3' })).getByText('http://127.0.0.1:3003')).toBeInTheDocument();
  });

  it('warns when the nodes count days in different time zones', () => {
    const nodes = [up({ ...status('n1', 'n1', '4.n1', {}), schoolTimeZone: 'Asia/Shanghai' }), up({ ...status('n2', 'n1', '4.n1', {}), schoolTimeZone: 'UTC' })];
    renderWithProviders(<ClusterNodesView nodes={nodes} updatedAt={1000} />);
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts.some((text) => text?.includes('Nodes count days in different time zones: n1 Asia/Shanghai, n2 UTC'))).toBe(true);
    expect(screen.queryByText('School time zone:', { exact: false })).toBeNull();
  });
});
