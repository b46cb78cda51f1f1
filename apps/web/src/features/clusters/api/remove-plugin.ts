import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiSend } from '../../../shared/api/client.ts';
import { clusterPath } from './cluster-path.ts';

/** Removes a KMS plug-in that stopped reporting (its API server is gone); revokes its API keys. */
export function useRemovePlugin(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (resource: string) =>
      apiSend(`${clusterPath(clusterId)}/plugins/${encodeURIComponent(resource)}`, {
        method: 'DELETE',
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['clusters'] }),
  });
}
