import { useMutation, useQueryClient } from '@tanstack/react-query';
import { SessionInfo, type LoginRequest } from '@keyhaven/contracts';
import { apiRequest, setCsrfToken } from '../../../shared/api/client.ts';
import { sessionQueryOptions } from './get-session.ts';

/** Logs in; the session (and its CSRF token) replaces whatever was cached. */
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
