import { useMutation } from '@tanstack/react-query';
import { apiSend } from '../../../shared/api/client.ts';
import { useInvalidateAccess } from './get-users.ts';

export const revokeAccess = (id: string) =>
  apiSend(`/api/access-policies/${encodeURIComponent(id)}`, { method: 'DELETE' });

export function useRevokeAccess() {
  const invalidate = useInvalidateAccess();
  return useMutation({ mutationFn: revokeAccess, onSuccess: invalidate });
}
