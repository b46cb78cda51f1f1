import { useMutation } from '@tanstack/react-query';
import { RootKey, type RotationPolicyBody } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { rootKeysPath, useInvalidateRootKeys } from './get-root-keys.ts';

/** Sets a root key's rotation policy; answers the key with its next rotation date. */
export const setRotationPolicy = (instanceId: string, keyId: string, body: RotationPolicyBody) =>
  apiRequest(RootKey, `${rootKeysPath(instanceId, keyId)}/policies/rotation`, {
    method: 'PUT',
    body,
  });

export function useSetRotationPolicy(instanceId: string, keyId: string) {
  const invalidate = useInvalidateRootKeys(instanceId);
  return useMutation({
    mutationFn: (body: RotationPolicyBody) => setRotationPolicy(instanceId, keyId, body),
    onSuccess: invalidate,
  });
}
