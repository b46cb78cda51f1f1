import { queryOptions, useQuery } from '@tanstack/react-query';
import { Dashboard } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

export const dashboardQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.dashboard(),
    queryFn: ({ signal }) => apiRequest(Dashboard, '/api/dashboard', { signal }),
  });

/** Root keys and migrations change slowly; the clusters' states arrive live by their stream. */
export const useDashboard = () => useQuery({ ...dashboardQueryOptions(), refetchInterval: 30_000 });
