import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { EnableOptions } from '@keyhaven/contracts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { apiRequest } from '../../../shared/api/client.ts';
import { clusterPath } from './cluster-path.ts';

export const getEnableOptions = (
  clusterId: string,
  instanceId: string | undefined,
  signal?: AbortSignal,
) => {
  const query = instanceId ? `?instanceId=${encodeURIComponent(instanceId)}` : '';
  return apiRequest(EnableOptions, `${clusterPath(clusterId)}/enable-options${query}`, { signal });
};

export const enableOptionsQueryOptions = (clusterId: string, instanceId: string | undefined) =>
  queryOptions({
    queryKey: queryKeys.enableOptionsFor(clusterId, instanceId),
    queryFn: ({ signal }) => getEnableOptions(clusterId, instanceId, signal),
    placeholderData: keepPreviousData,
  });

export const useEnableOptions = (
  clusterId: string,
  instanceId: string | undefined,
  enabled: boolean,
) => useQuery({ ...enableOptionsQueryOptions(clusterId, instanceId), enabled });
