import { E2eCluster, waitFor } from './cluster-harness';
import { SagaApi } from './saga-support';

/**
 * `GET /api/cluster/nodes` on a real 3-node cluster: the node asked answers with every member's
 * own status, read over NATS; a member that is frozen or stopped is listed as unreachable while
 * the others still answer with their own view.
 */

interface NodeEntry {
  nodeId: string;
  reachable: boolean;
  status?: { nodeId: string; role: string; leaderId: string | null; ballot: string; appliedSlot: number };
  error?: string;
}

describe('cluster nodes read over NATS (3 nodes)', () => {
  let cluster: E2eCluster;
  let api: SagaApi;

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'nodes' });
    await cluster.waitForLeader(30_000);
    api = new SagaApi(cluster);
    await api.login();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  async function nodesSeenBy(id: string): Promise<NodeEntry[]> {
    const answer = await api.call(id, 'GET', '/api/cluster/nodes');
    expect(answer.status).toBe(200);
    return (answer.body as { nodes: NodeEntry[] }).nodes;
  }

  it('is for admins only', () =>
    cluster.diagnose(async () => {
      expect((await api.call('n1', 'GET', '/api/cluster/nodes', undefined, '')).status).toBe(401);
    }), 30_000);

  it("lists every member with its own status, each node's answer its own", () =>
    cluster.diagnose(async () => {
      for (const asked of cluster.ids) {
        const nodes = await nodesSeenBy(asked);
        expect(nodes.map((n) => n.nodeId)).toEqual([...cluster.ids].sort());
        for (const n of nodes) {
          expect(n).toMatchObject({ nodeId: n.nodeId, reachable: true, status: { nodeId: n.nodeId } });
        }
      }
      // Once the cluster is settled, the three answers name one leader.
      await waitFor('every node names the same leader', async () => {
        const leaders = new Set((await nodesSeenBy('n1')).map((n) => n.status?.leaderId ?? null));
        return leaders.size === 1 && !leaders.has(null);
      }, 20_000, 200);
    }), 60_000);

  it('shows a frozen member, then a stopped one, as unreachable while the others answer', () =>
    cluster.diagnose(async () => {
      const [asked, other, cut] = cluster.ids;
      cluster.pause(cut);
      try {
        const frozen = await nodesSeenBy(asked);
        expect(frozen.find((n) => n.nodeId === cut)).toMatchObject({ reachable: false, error: 'timeout' });
        expect(frozen.find((n) => n.nodeId === cut)?.status).toBeUndefined();
        for (const id of [asked, other]) expect(frozen.find((n) => n.nodeId === id)).toMatchObject({ reachable: true, status: { nodeId: id } });
      } finally {
        cluster.resume(cut);
      }
      await cluster.stopNode(cut);
      const stopped = await nodesSeenBy(other);
      expect(stopped.find((n) => n.nodeId === cut)).toMatchObject({ reachable: false });
      expect(typeof stopped.find((n) => n.nodeId === cut)?.error).toBe('string');
      for (const id of [asked, other]) expect(stopped.find((n) => n.nodeId === id)).toMatchObject({ reachable: true, status: { nodeId: id } });
    }), 60_000);
});
