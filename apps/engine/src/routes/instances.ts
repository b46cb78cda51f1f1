import { InstanceCollection } from '@keyhaven/contracts';
import type { RouteDeps } from './route.ts';

/** KMS instances the caller can read. */
export function instanceRoutes({ route, engine }: RouteDeps) {
  const tag = 'Key Protect';
  route(
    {
      method: 'get',
      path: '/v2/kms/instances',
      operationId: 'listKmsInstances',
      tag,
      summary: 'KMS instances the caller can read',
      response: InstanceCollection,
    },
    async ({ principal }) => ({ instances: await engine.keys.listInstances(principal) }),
  );
}
