import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { KmsInstance } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

export const getInstances = (signal?: AbortSignal) =>
  apiRequest(z.array(KmsInstance), '/api/kms/instances', { signal });

export const instancesQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.kmsInstances(),
    queryFn: ({ signal }) => getInstances(signal),
  });

export const useInstances = () => useQuery(instancesQueryOptions());
