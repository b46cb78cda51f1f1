import { keepPreviousData, queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { SecretPage, type SecretMeta } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

export const PAGE_SIZE = 50;

/** The console API path of a cluster's secrets, or of one of them. */
export const secretsPath = (clusterId: string, ref?: { namespace: string; name: string }) =>
  `/api/clusters/${encodeURIComponent(clusterId)}/secrets${ref ? `/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}` : ''}`;

/** What each dialog about one secret (reveal, verify, delete) is given. */
export interface SecretDialogProps {
  clusterId: string;
  secret: SecretMeta;
  onClose: () => void;
}

export const getSecrets = (clusterId: string, cursor: string | undefined, signal?: AbortSignal) =>
  apiRequest(
    SecretPage,
    `${secretsPath(clusterId)}?limit=${PAGE_SIZE}${cursor ? `&continue=${encodeURIComponent(cursor)}` : ''}`,
    { signal },
  );

export const secretsQueryOptions = (clusterId: string, cursor: string | undefined) =>
  queryOptions({
    queryKey: queryKeys.secretsPage(clusterId, cursor),
    queryFn: ({ signal }) => getSecrets(clusterId, cursor, signal),
  });

export const useSecrets = (clusterId: string, cursor: string | undefined) =>
  useQuery({ ...secretsQueryOptions(clusterId, cursor), placeholderData: keepPreviousData });

/** A secret was written or deleted: refresh every page and the cluster's activity. */
export function useInvalidateSecrets(clusterId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.secrets(clusterId) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.clusterActivity(clusterId) }),
    ]);
}
