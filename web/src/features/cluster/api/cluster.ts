import { useQuery } from '@tanstack/react-query';
import { getJson } from '@/lib/api/client';
import type { ClusterStatus } from '@/lib/api/types';

/** How often the monitor reads the cluster. */
export const CLUSTER_POLL_MS = 1_000;

/** This node's view of the cluster, read every second. */
export function useClusterStatus() {
  return useQuery({
    queryKey: ['cluster', 'status'],
    queryFn: () => getJson<ClusterStatus>('/api/cluster/status'),
    refetchInterval: CLUSTER_POLL_MS,
    retry: false,
  });
}
