import { useMutation } from '@tanstack/react-query';
import { RootKey } from '@keyhaven/contracts';
import { apiRequest, apiSend } from '../../../shared/api/client.ts';
import { rootKeysPath, useInvalidateRootKeys } from './get-root-keys.ts';

/** Turns on dual authorization to delete the key; answers the key. */
export const turnOnDualAuth = (instanceId: string, keyId: string) =>
  apiRequest(RootKey, `${rootKeysPath(instanceId, keyId)}/policies/dual-auth-delete`, {
    method: 'PUT',
    body: { enabled: true },
  });

export function useTurnOnDualAuth(instanceId: string, keyId: string) {
  const invalidate = useInvalidateRootKeys(instanceId);
  return useMutation({
    mutationFn: () => turnOnDualAuth(instanceId, keyId),
    onSuccess: invalidate,
  });
}

/** Authorizes deleting the key (another Manager deletes it), or cancels that authorization. */
export const setDeletionAuthorization = (instanceId: string, keyId: string, authorize: boolean) =>
  apiSend(`${rootKeysPath(instanceId, keyId)}/deletion-authorization`, {
    method: authorize ? 'PUT' : 'DELETE',
  });

export function useDeletionAuthorization(instanceId: string, keyId: string) {
  const invalidate = useInvalidateRootKeys(instanceId);
  return useMutation({
    mutationFn: (authorize: boolean) => setDeletionAuthorization(instanceId, keyId, authorize),
    onSuccess: invalidate,
  });
}
