import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiKeyList } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { clusterPath } from './cluster-path.ts';

/** The API keys of a connected cluster's KMS plug-in (Administrators only). */
export const pluginKeysQueryOptions = (clusterId: string) =>
  queryOptions({
    queryKey: ['clusters', clusterId, 'plugin-keys'],
    queryFn: ({ signal }) =>
      apiRequest(ApiKeyList, `${clusterPath(clusterId)}/plugin-keys`, { signal }),
  });

export function usePluginKeys(clusterId: string, enabled: boolean) {
  return useQuery({ ...pluginKeysQueryOptions(clusterId), enabled });
}
