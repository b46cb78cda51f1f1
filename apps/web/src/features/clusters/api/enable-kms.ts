import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Cluster, type EnableKmsBody } from '@keyhaven/contracts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { apiRequest } from '../../../shared/api/client.ts';
import { clusterPath } from './cluster-path.ts';
import { clusterOverviewQueryOptions } from './get-cluster-overview.ts';
import { clustersQueryOptions } from './get-clusters.ts';

export const enableKms = (clusterId: string, body: EnableKmsBody) =>
  apiRequest(Cluster, `${clusterPath(clusterId)}/kms`, {
    method: 'POST',
    body,
  });

export function useEnableKms(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: EnableKmsBody) => enableKms(clusterId, body),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({
          queryKey: clusterOverviewQueryOptions(clusterId).queryKey,
        }),
        queryClient.invalidateQueries({ queryKey: clustersQueryOptions().queryKey, exact: true }),
        queryClient.invalidateQueries({ queryKey: queryKeys.enableOptions(clusterId) }),
      ]),
  });
}
