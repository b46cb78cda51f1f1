import { useMutation } from '@tanstack/react-query';
import { SecretMeta, type SecretWrite } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { secretsPath, useInvalidateSecrets } from './get-secrets.ts';

export const createSecret = (clusterId: string, body: SecretWrite) =>
  apiRequest(SecretMeta, secretsPath(clusterId), { method: 'POST', body });

export function useCreateSecret(clusterId: string) {
  const invalidate = useInvalidateSecrets(clusterId);
  return useMutation({
    mutationFn: (body: SecretWrite) => createSecret(clusterId, body),
    onSuccess: invalidate,
  });
}
