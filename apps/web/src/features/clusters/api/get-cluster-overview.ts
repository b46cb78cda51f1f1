import { queryOptions, useQuery } from '@tanstack/react-query';
import { ClusterOverview } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';

export const getClusterOverview = (id: string, signal?: AbortSignal) =>
  apiRequest(ClusterOverview, `/api/clusters/${encodeURIComponent(id)}`, { signal });

export const clusterOverviewQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['clusters', id, 'overview'],
    queryFn: ({ signal }) => getClusterOverview(id, signal),
  });

export const useClusterOverview = (id: string) => useQuery(clusterOverviewQueryOptions(id));
