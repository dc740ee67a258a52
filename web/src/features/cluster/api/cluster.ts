import { useQuery } from '@tanstack/react-query';
import { getJson } from '@/lib/api/client';
import type { ClusterNode } from '@/lib/api/types';

/** How often the monitor reads the cluster. */
export const CLUSTER_POLL_MS = 1_000;

/** Every node's own view (each asked by the node the browser is on, over NATS), read every second. */
export function useClusterNodes() {
  return useQuery({
    queryKey: ['cluster', 'nodes'],
    queryFn: () => getJson<{ nodes: ClusterNode[] }>('/api/cluster/nodes'),
    refetchInterval: CLUSTER_POLL_MS,
    retry: false,
  });
}
