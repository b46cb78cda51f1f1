import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiSend } from '../../../shared/api/client.ts';
import { clusterPath } from './cluster-path.ts';
import { pluginKeysQueryOptions } from './get-plugin-keys.ts';

/** Revokes one API key of the plug-in; the list is read again. */
export function useRevokePluginKey(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      apiSend(`${clusterPath(clusterId)}/plugin-keys/${encodeURIComponent(keyId)}`, {
        method: 'DELETE',
      }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: pluginKeysQueryOptions(clusterId).queryKey }),
  });
}
