import { useMutation } from '@tanstack/react-query';
import { apiSend } from '../../../shared/api/client.ts';
import { useInvalidateAccess } from './get-users.ts';

export const removeUser = (id: string) =>
  apiSend(`/api/users/${encodeURIComponent(id)}`, { method: 'DELETE' });

export function useRemoveUser() {
  const invalidate = useInvalidateAccess();
  return useMutation({ mutationFn: removeUser, onSuccess: invalidate });
}
