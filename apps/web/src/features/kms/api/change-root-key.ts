import { useMutation } from '@tanstack/react-query';
import type { RootKeyAction } from '@keyhaven/contracts';
import { apiSend } from '../../../shared/api/client.ts';
import { rootKeysPath, useInvalidateRootKeys } from './get-root-keys.ts';

/** Rotate, disable or enable a root key. */
export const changeRootKey = (instanceId: string, keyId: string, action: RootKeyAction) =>
  apiSend(`${rootKeysPath(instanceId, keyId)}/actions/${action}`, { method: 'POST' });

export function useRootKeyAction(instanceId: string) {
  const invalidate = useInvalidateRootKeys(instanceId);
  return useMutation({
    mutationFn: ({ keyId, action }: { keyId: string; action: RootKeyAction }) =>
      changeRootKey(instanceId, keyId, action),
    onSuccess: invalidate,
  });
}
