import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiKeyList } from '@keyhaven/contracts';
import { apiRequest, apiSend } from '../../../shared/api/client.ts';

const keysPath = (clusterId: string) =>
  `/api/clusters/${encodeURIComponent(clusterId)}/plugin-keys`;

/** The API keys of a connected cluster's KMS plug-in (Administrators only). */
export const pluginKeysQueryOptions = (clusterId: string) =>
  queryOptions({
    queryKey: ['clusters', clusterId, 'plugin-keys'],
    queryFn: ({ signal }) => apiRequest(ApiKeyList, keysPath(clusterId), { signal }),
  });

export function usePluginKeys(clusterId: string, enabled: boolean) {
  return useQuery({ ...pluginKeysQueryOptions(clusterId), enabled });
}

/** Revokes one API key of the plug-in; the list is read again. */
export function useRevokePluginKey(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      apiSend(`${keysPath(clusterId)}/${encodeURIComponent(keyId)}`, { method: 'DELETE' }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: pluginKeysQueryOptions(clusterId).queryKey }),
  });
}
