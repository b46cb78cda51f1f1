import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Cluster, type ConnectClusterRequest } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { clustersQueryOptions } from './get-clusters.ts';

/** Connect a Kubernetes cluster; the engine checks its credentials before it answers. */
export function useConnectCluster() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ConnectClusterRequest) =>
      apiRequest(Cluster, '/api/clusters', { method: 'POST', body }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: clustersQueryOptions().queryKey, exact: true }),
  });
}
