import { useMutation } from '@tanstack/react-query';
import { RootKey } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { rootKeysPath, useInvalidateRootKeys } from './get-root-keys.ts';

export const deleteRootKey = (instanceId: string, keyId: string, force: boolean) =>
  apiRequest(RootKey, `${rootKeysPath(instanceId, keyId)}?force=${force}`, { method: 'DELETE' });

export function useDeleteRootKey(instanceId: string) {
  const invalidate = useInvalidateRootKeys(instanceId);
  return useMutation({
    mutationFn: ({ keyId, force }: { keyId: string; force: boolean }) =>
      deleteRootKey(instanceId, keyId, force),
    onSuccess: invalidate,
  });
}
