import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { RootKey } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

/** The console API path of an instance's root keys, or of one of them. */
export const rootKeysPath = (instanceId: string, keyId?: string) =>
  `/api/kms/instances/${encodeURIComponent(instanceId)}/keys${keyId ? `/${encodeURIComponent(keyId)}` : ''}`;

export const getRootKeys = (instanceId: string, signal?: AbortSignal) =>
  apiRequest(z.array(RootKey), rootKeysPath(instanceId), { signal });

export const rootKeysQueryOptions = (instanceId: string) =>
  queryOptions({
    queryKey: queryKeys.rootKeys(instanceId),
    queryFn: ({ signal }) => getRootKeys(instanceId, signal),
  });

export const useRootKeys = (instanceId: string | undefined) =>
  useQuery({ ...rootKeysQueryOptions(instanceId ?? ''), enabled: Boolean(instanceId) });

/** Key changes move clusters too (R6-R8): refresh the instance's keys and every cluster query. */
export function useInvalidateRootKeys(instanceId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: rootKeysQueryOptions(instanceId).queryKey }),
      queryClient.invalidateQueries({ queryKey: queryKeys.clusters() }),
    ]);
}
