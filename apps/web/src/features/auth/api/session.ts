import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { SessionInfo, type LoginRequest } from '@keyhaven/contracts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { apiRequest, apiSend, setCsrfToken } from '../../../shared/api/client.ts';

/** The current session, or null when logged out (the server answers 204). */
export async function getSession(signal?: AbortSignal): Promise<SessionInfo | null> {
  const session = await apiRequest(SessionInfo.nullable(), '/api/session', { signal });
  setCsrfToken(session?.csrfToken);
  return session;
}

export const sessionQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.session(),
    queryFn: ({ signal }) => getSession(signal),
    staleTime: 5 * 60_000,
  });

export const useSession = () => useQuery(sessionQueryOptions());

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: LoginRequest) => {
      const session = await apiRequest(SessionInfo, '/api/session', {
        method: 'POST',
        body: credentials,
      });
      setCsrfToken(session.csrfToken);
      return session;
    },
    onSuccess: (session) => {
      queryClient.clear();
      queryClient.setQueryData(sessionQueryOptions().queryKey, session);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend('/api/session', { method: 'DELETE' }),
    onSettled: () => {
      setCsrfToken(undefined);
      queryClient.clear();
      queryClient.setQueryData(sessionQueryOptions().queryKey, null);
    },
  });
}
