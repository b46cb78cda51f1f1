import { queryOptions, useQuery } from '@tanstack/react-query';
import { ActivityList, RootKey } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { rootKeysPath } from './get-root-keys.ts';

export const rootKeyQueryOptions = (instanceId: string, keyId: string) =>
  queryOptions({
    queryKey: queryKeys.rootKey(instanceId, keyId),
    queryFn: ({ signal }) => apiRequest(RootKey, rootKeysPath(instanceId, keyId), { signal }),
  });

/** One root key, with the clusters and plug-ins that use it. */
export const useRootKey = (instanceId: string, keyId: string) =>
  useQuery(rootKeyQueryOptions(instanceId, keyId));

/** What was done to the key and by whom, newest first. */
export const useRootKeyActivity = (instanceId: string, keyId: string) =>
  useQuery({
    queryKey: queryKeys.rootKeyActivity(instanceId, keyId),
    queryFn: ({ signal }) =>
      apiRequest(ActivityList, `${rootKeysPath(instanceId, keyId)}/activity`, { signal }),
    refetchInterval: 10_000,
  });
