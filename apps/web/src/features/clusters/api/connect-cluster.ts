import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Cluster, type ConnectClusterRequest } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { clustersQueryOptions } from './get-clusters.ts';

/** Connect a Kubernetes cluster; the engine checks its credentials before it answers. */
export function useConnectCluster() {
  const queryClient = useQueryClient();
  return useMutation({
    // The signal is Cancel's: aborting closes the request, and the engine's check stops with it.
    mutationFn: ({ body, signal }: { body: ConnectClusterRequest; signal: AbortSignal }) =>
      apiRequest(Cluster, '/api/clusters', { method: 'POST', body, signal }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: clustersQueryOptions().queryKey, exact: true }),
  });
}
