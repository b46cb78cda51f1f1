import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { KmsInstance, RootKey, type CreateRootKeyBody } from '@keyhaven/contracts';
import { apiRequest, apiSend } from '../../../shared/api/client.ts';

const base = (instanceId: string) => `/api/kms/instances/${encodeURIComponent(instanceId)}/keys`;

export const instancesQueryOptions = () =>
  queryOptions({
    queryKey: ['kms', 'instances'],
    queryFn: ({ signal }) => apiRequest(z.array(KmsInstance), '/api/kms/instances', { signal }),
  });
export const useInstances = () => useQuery(instancesQueryOptions());

export const rootKeysQueryOptions = (instanceId: string) =>
  queryOptions({
    queryKey: ['kms', 'instances', instanceId, 'keys'],
    queryFn: ({ signal }) => apiRequest(z.array(RootKey), base(instanceId), { signal }),
  });
export const useRootKeys = (instanceId: string | undefined) =>
  useQuery({ ...rootKeysQueryOptions(instanceId ?? ''), enabled: Boolean(instanceId) });

/** Key changes move clusters too (R6-R8): refresh keys and every cluster query. */
function useInvalidate(instanceId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: rootKeysQueryOptions(instanceId).queryKey }),
      queryClient.invalidateQueries({ queryKey: ['clusters'] }),
    ]);
}

export function useCreateRootKey(instanceId: string) {
  const invalidate = useInvalidate(instanceId);
  return useMutation({
    mutationFn: (body: CreateRootKeyBody) =>
      apiRequest(RootKey, base(instanceId), { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useRootKeyAction(instanceId: string) {
  const invalidate = useInvalidate(instanceId);
  return useMutation({
    mutationFn: ({ keyId, action }: { keyId: string; action: 'rotate' | 'disable' | 'enable' }) =>
      apiSend(`${base(instanceId)}/${encodeURIComponent(keyId)}/actions/${action}`, {
        method: 'POST',
      }),
    onSuccess: invalidate,
  });
}

export function useDeleteRootKey(instanceId: string) {
  const invalidate = useInvalidate(instanceId);
  return useMutation({
    mutationFn: ({ keyId, force }: { keyId: string; force: boolean }) =>
      apiRequest(RootKey, `${base(instanceId)}/${encodeURIComponent(keyId)}?force=${force}`, {
        method: 'DELETE',
      }),
    onSuccess: invalidate,
  });
}
