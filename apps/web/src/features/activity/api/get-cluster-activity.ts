import { queryOptions, useQuery } from '@tanstack/react-query';
import { ActivityList } from '@keyhaven/contracts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { apiRequest } from '../../../shared/api/client.ts';

export const clusterActivityQueryOptions = (clusterId: string) =>
  queryOptions({
    queryKey: queryKeys.clusterActivity(clusterId),
    queryFn: ({ signal }) =>
      apiRequest(ActivityList, `/api/clusters/${encodeURIComponent(clusterId)}/activity`, {
        signal,
      }),
  });

export const useClusterActivity = (clusterId: string) =>
  useQuery({ ...clusterActivityQueryOptions(clusterId), refetchInterval: 10_000 });
