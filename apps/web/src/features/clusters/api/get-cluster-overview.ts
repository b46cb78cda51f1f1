import { queryOptions, useQuery } from '@tanstack/react-query';
import { ClusterOverview } from '@keyhaven/contracts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { apiRequest } from '../../../shared/api/client.ts';

export const getClusterOverview = (id: string, signal?: AbortSignal) =>
  apiRequest(ClusterOverview, `/api/clusters/${encodeURIComponent(id)}`, { signal });

export const clusterOverviewQueryOptions = (id: string) =>
  queryOptions({
    queryKey: queryKeys.clusterOverview(id),
    queryFn: ({ signal }) => getClusterOverview(id, signal),
  });

export const useClusterOverview = (id: string) => useQuery(clusterOverviewQueryOptions(id));
