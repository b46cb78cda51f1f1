import { useMutation } from '@tanstack/react-query';
import { apiSend } from '../../../shared/api/client.ts';
import { useInvalidateAuthorizations } from './get-authorizations.ts';

export const deleteAuthorization = (id: string) =>
  apiSend(`/api/authorizations/${encodeURIComponent(id)}`, { method: 'DELETE' });

export function useDeleteAuthorization() {
  const invalidate = useInvalidateAuthorizations();
  return useMutation({ mutationFn: deleteAuthorization, onSuccess: invalidate });
}
