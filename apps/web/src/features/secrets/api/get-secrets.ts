import { keepPreviousData, queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { SecretPage, type SecretMeta } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

/** Page sizes the table offers; the first page shows the middle one. */
export const PAGE_SIZES = [25, 50, 100];

/** One numbered page of the secrets whose "namespace/name" contains the search text. */
export interface SecretsPageQuery {
  search: string;
  offset: number;
  limit: number;
}

/** The console API path of a cluster's secrets, or of one of them. */
export const secretsPath = (clusterId: string, ref?: { namespace: string; name: string }) =>
  `/api/clusters/${encodeURIComponent(clusterId)}/secrets${ref ? `/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}` : ''}`;

/** What each dialog about one secret (reveal, verify, delete) is given. */
export interface SecretDialogProps {
  clusterId: string;
  secret: SecretMeta;
  onClose: () => void;
}

export const getSecrets = (clusterId: string, page: SecretsPageQuery, signal?: AbortSignal) => {
  const query = new URLSearchParams({ limit: String(page.limit), offset: String(page.offset) });
  if (page.search) query.set('search', page.search);
  return apiRequest(SecretPage, `${secretsPath(clusterId)}?${query}`, { signal });
};

export const secretsQueryOptions = (clusterId: string, page: SecretsPageQuery) =>
  queryOptions({
    queryKey: queryKeys.secretsPage(clusterId, page),
    queryFn: ({ signal }) => getSecrets(clusterId, page, signal),
  });

export const useSecrets = (clusterId: string, page: SecretsPageQuery) =>
  useQuery({ ...secretsQueryOptions(clusterId, page), placeholderData: keepPreviousData });

/** A secret was written or deleted: refresh every page and the cluster's activity. */
export function useInvalidateSecrets(clusterId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.secrets(clusterId) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.clusterActivity(clusterId) }),
    ]);
}
