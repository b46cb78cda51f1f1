import { useMutation } from '@tanstack/react-query';
import { User, type UserCreate } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { useInvalidateAccess } from './get-users.ts';

export const inviteUser = (body: UserCreate) =>
  apiRequest(User, '/api/users', { method: 'POST', body });

export function useInviteUser() {
  const invalidate = useInvalidateAccess();
  return useMutation({ mutationFn: inviteUser, onSuccess: invalidate });
}
