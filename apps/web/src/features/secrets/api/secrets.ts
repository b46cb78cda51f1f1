import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { RawSecret, Secret, SecretMeta, SecretPage, type SecretWrite } from '@keyhaven/contracts';
import { apiRequest, apiSend } from '../../../shared/api/client.ts';

const base = (clusterId: string) => `/api/clusters/${encodeURIComponent(clusterId)}/secrets`;
const one = (clusterId: string, namespace: string, name: string) =>
  `${base(clusterId)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

export const PAGE_SIZE = 50;

/** What each dialog about one secret (reveal, verify, delete) is given. */
export interface SecretDialogProps {
  clusterId: string;
  secret: SecretMeta;
  onClose: () => void;
}

export const secretsQueryOptions = (clusterId: string, cursor: string | undefined) =>
  queryOptions({
    queryKey: ['clusters', clusterId, 'secrets', cursor ?? ''],
    queryFn: ({ signal }) =>
      apiRequest(
        SecretPage,
        `${base(clusterId)}?limit=${PAGE_SIZE}${cursor ? `&continue=${encodeURIComponent(cursor)}` : ''}`,
        { signal },
      ),
  });

export const useSecrets = (clusterId: string, cursor: string | undefined) =>
  useQuery({ ...secretsQueryOptions(clusterId, cursor), placeholderData: keepPreviousData });

/** Values are fetched only when the user asks to reveal them, and never cached afterwards. */
export const useSecretValues = (
  clusterId: string,
  ref: { namespace: string; name: string } | null,
) =>
  useQuery({
    queryKey: ['clusters', clusterId, 'secret-values', ref?.namespace, ref?.name],
    queryFn: ({ signal }) =>
      apiRequest(Secret, one(clusterId, ref?.namespace ?? '', ref?.name ?? ''), { signal }),
    enabled: ref !== null,
    gcTime: 0,
    staleTime: 0,
    retry: false,
  });

export const useRawSecret = (clusterId: string, ref: { namespace: string; name: string } | null) =>
  useQuery({
    queryKey: ['clusters', clusterId, 'secret-raw', ref?.namespace, ref?.name],
    queryFn: ({ signal }) =>
      apiRequest(RawSecret, `${one(clusterId, ref?.namespace ?? '', ref?.name ?? '')}/raw`, {
        signal,
      }),
    enabled: ref !== null,
    retry: false,
  });

function useInvalidate(clusterId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['clusters', clusterId, 'secrets'] }),
      queryClient.invalidateQueries({ queryKey: ['clusters', clusterId, 'activity'] }),
    ]);
}

export function useCreateSecret(clusterId: string) {
  const invalidate = useInvalidate(clusterId);
  return useMutation({
    mutationFn: (body: SecretWrite) =>
      apiRequest(SecretMeta, base(clusterId), { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useDeleteSecret(clusterId: string) {
  const invalidate = useInvalidate(clusterId);
  return useMutation({
    mutationFn: ({ namespace, name }: { namespace: string; name: string }) =>
      apiSend(one(clusterId, namespace, name), { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
