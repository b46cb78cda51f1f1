import { queryOptions, useQuery } from '@tanstack/react-query';
import { SessionInfo } from '@keyhaven/contracts';
import { queryKeys } from '../../../shared/api/query-keys.ts';
import { apiRequest, setCsrfToken } from '../../../shared/api/client.ts';

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
