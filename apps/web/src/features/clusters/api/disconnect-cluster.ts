import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiSend } from '../../../shared/api/client.ts';
import { clusterPath } from './cluster-path.ts';
import { clustersQueryOptions } from './get-clusters.ts';

/** Disconnect a connected cluster (only while its KMS is off). */
export function useDisconnectCluster(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend(clusterPath(clusterId), { method: 'DELETE' }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: clustersQueryOptions().queryKey, exact: true }),
  });
}
