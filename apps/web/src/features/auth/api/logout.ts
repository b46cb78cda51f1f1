import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiSend, setCsrfToken } from '../../../shared/api/client.ts';
import { sessionQueryOptions } from './get-session.ts';

/** Logs out; whatever the server answers, the console forgets the session. */
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
