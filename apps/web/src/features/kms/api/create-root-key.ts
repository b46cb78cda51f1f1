import { useMutation } from '@tanstack/react-query';
import { RootKey, type CreateRootKeyBody } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { rootKeysPath, useInvalidateRootKeys } from './get-root-keys.ts';

export const createRootKey = (instanceId: string, body: CreateRootKeyBody) =>
  apiRequest(RootKey, rootKeysPath(instanceId), { method: 'POST', body });

export function useCreateRootKey(instanceId: string) {
  const invalidate = useInvalidateRootKeys(instanceId);
  return useMutation({
    mutationFn: (body: CreateRootKeyBody) => createRootKey(instanceId, body),
    onSuccess: invalidate,
  });
}
