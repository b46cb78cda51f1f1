import { queryOptions, useQuery } from '@tanstack/react-query';
import { Secret } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { secretsPath } from './get-secrets.ts';

type SecretRef = { namespace: string; name: string };

export const getSecretValues = (clusterId: string, ref: SecretRef, signal?: AbortSignal) =>
  apiRequest(Secret, secretsPath(clusterId, ref), { signal });

/** Values are fetched only when the user asks to reveal them, and never cached afterwards. */
export const secretValuesQueryOptions = (clusterId: string, ref: SecretRef | null) =>
  queryOptions({
    queryKey: queryKeys.secretValues(clusterId, ref?.namespace, ref?.name),
    queryFn: ({ signal }) => getSecretValues(clusterId, ref ?? { namespace: '', name: '' }, signal),
    enabled: ref !== null,
    gcTime: 0,
    staleTime: 0,
    retry: false,
  });

export const useSecretValues = (clusterId: string, ref: SecretRef | null) =>
  useQuery(secretValuesQueryOptions(clusterId, ref));
