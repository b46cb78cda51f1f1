import { useMutation } from '@tanstack/react-query';
import { AuthorizationPolicy, type AuthorizationPolicyCreate } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { useInvalidateAuthorizations } from './get-authorizations.ts';

export const createAuthorization = (body: AuthorizationPolicyCreate) =>
  apiRequest(AuthorizationPolicy, '/api/authorizations', { method: 'POST', body });

export function useCreateAuthorization() {
  const invalidate = useInvalidateAuthorizations();
  return useMutation({ mutationFn: createAuthorization, onSuccess: invalidate });
}
