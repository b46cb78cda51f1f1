import { useMutation } from '@tanstack/react-query';
import { AccessPolicy, type AccessPolicyRequest } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { useInvalidateAccess } from './get-users.ts';

export const grantAccess = (body: AccessPolicyRequest) =>
  apiRequest(AccessPolicy, '/api/access-policies', { method: 'POST', body });

export function useGrantAccess() {
  const invalidate = useInvalidateAccess();
  return useMutation({ mutationFn: grantAccess, onSuccess: invalidate });
}
