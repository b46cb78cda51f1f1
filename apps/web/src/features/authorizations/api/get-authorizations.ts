import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { AuthorizationPolicyList } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

export const getAuthorizations = (signal?: AbortSignal) =>
  apiRequest(AuthorizationPolicyList, '/api/authorizations', { signal });

export const authorizationsQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.authorizations(),
    queryFn: ({ signal }) => getAuthorizations(signal),
  });

export const useAuthorizations = () => useQuery(authorizationsQueryOptions());

/** An authorization came or went: the list, and every cluster whose status may follow. */
export function useInvalidateAuthorizations() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: authorizationsQueryOptions().queryKey }),
      queryClient.invalidateQueries({ queryKey: queryKeys.clusters() }),
    ]);
}
