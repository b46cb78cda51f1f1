import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Cluster, KmsPluginSetup, type ConnectClusterRequest } from '@keyhaven/contracts';
import { apiRequest, apiSend } from '../../../shared/api/client.ts';
import { clustersQueryOptions } from './get-clusters.ts';

const clusterPath = (clusterId: string) => `/api/clusters/${encodeURIComponent(clusterId)}`;

/** Connect a Kubernetes cluster; the engine checks its credentials before it answers. */
export function useConnectCluster() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ConnectClusterRequest) =>
      apiRequest(Cluster, '/api/clusters', { method: 'POST', body }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: clustersQueryOptions().queryKey, exact: true }),
  });
}

export function useDisconnectCluster(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend(clusterPath(clusterId), { method: 'DELETE' }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: clustersQueryOptions().queryKey, exact: true }),
  });
}

/** Makes a new API key for the cluster's KMS plug-in, with the files that use it. */
export function usePluginSetup(clusterId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      apiRequest(KmsPluginSetup, `${clusterPath(clusterId)}/kms-plugin-setup`, { method: 'POST' }),
    // The new API key shows among the plug-in's keys.
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: ['clusters', clusterId, 'plugin-keys'] }),
  });
}

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
