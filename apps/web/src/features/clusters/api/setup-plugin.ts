import { useMutation, useQueryClient } from '@tanstack/react-query';
import { KmsPluginSetup } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { clusterPath } from './cluster-path.ts';
import { pluginKeysQueryOptions } from './get-plugin-keys.ts';

/** Makes a new API key for the cluster's KMS plug-in, with the files that use it. */
export function usePluginSetup(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      apiRequest(KmsPluginSetup, `${clusterPath(clusterId)}/kms-plugin-setup`, { method: 'POST' }),
    // The new API key shows among the plug-in's keys.
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: pluginKeysQueryOptions(clusterId).queryKey }),
  });
}
