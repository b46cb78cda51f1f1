import { useMutation } from '@tanstack/react-query';
import { apiSend } from '../../../shared/api/client.ts';
import { secretsPath, useInvalidateSecrets } from './get-secrets.ts';

export const deleteSecret = (clusterId: string, ref: { namespace: string; name: string }) =>
  apiSend(secretsPath(clusterId, ref), { method: 'DELETE' });

export function useDeleteSecret(clusterId: string) {
  const invalidate = useInvalidateSecrets(clusterId);
  return useMutation({
    mutationFn: (ref: { namespace: string; name: string }) => deleteSecret(clusterId, ref),
    onSuccess: invalidate,
  });
}
