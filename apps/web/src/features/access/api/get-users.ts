import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { AccessPolicyList, UserList } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

export const getUsers = (signal?: AbortSignal) => apiRequest(UserList, '/api/users', { signal });
export const getAccessPolicies = (signal?: AbortSignal) =>
  apiRequest(AccessPolicyList, '/api/access-policies', { signal });

export const usersQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.users(), queryFn: ({ signal }) => getUsers(signal) });
export const accessPoliciesQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.accessPolicies(),
    queryFn: ({ signal }) => getAccessPolicies(signal),
  });

/** Only an account Administrator may read them: others do not ask (`enabled`). */
export const useUsers = (enabled = true) => useQuery({ ...usersQueryOptions(), enabled });
export const useAccessPolicies = (enabled = true) =>
  useQuery({ ...accessPoliciesQueryOptions(), enabled });

/** A user or a grant changed: both lists follow (a user's roles are their policies). */
export function useInvalidateAccess() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.users() }),
      queryClient.invalidateQueries({ queryKey: queryKeys.accessPolicies() }),
    ]);
}
