import { queryOptions, useQuery } from '@tanstack/react-query';
import { ClusterRows } from '@keyhaven/contracts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { apiRequest } from '../../../shared/api/client.ts';

export const getClusters = (signal?: AbortSignal) =>
  apiRequest(ClusterRows, '/api/clusters', { signal });

export const clustersQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.clusters(), queryFn: ({ signal }) => getClusters(signal) });

export const useClusters = () => useQuery(clustersQueryOptions());
