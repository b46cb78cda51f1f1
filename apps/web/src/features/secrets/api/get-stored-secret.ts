import { queryOptions, useQuery } from '@tanstack/react-query';
import { RawSecret } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { secretsPath } from './get-secrets.ts';

type SecretRef = { namespace: string; name: string };

/** The bytes the store holds for a secret, to verify its encryption. */
export const getStoredSecret = (clusterId: string, ref: SecretRef, signal?: AbortSignal) =>
  apiRequest(RawSecret, `${secretsPath(clusterId, ref)}/raw`, { signal });

export const storedSecretQueryOptions = (clusterId: string, ref: SecretRef | null) =>
  queryOptions({
    queryKey: queryKeys.storedSecret(clusterId, ref?.namespace, ref?.name),
    queryFn: ({ signal }) => getStoredSecret(clusterId, ref ?? { namespace: '', name: '' }, signal),
    enabled: ref !== null,
    retry: false,
  });

export const useRawSecret = (clusterId: string, ref: SecretRef | null) =>
  useQuery(storedSecretQueryOptions(clusterId, ref));
