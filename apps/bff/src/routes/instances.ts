import { z } from 'zod';
import { KmsInstance, engineApi } from '@keyhaven/contracts';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';

/** KMS instances the user can read. */
export function instanceRoutes(route: Route, engine: EngineClient) {
  route(
    {
      method: 'get',
      path: '/kms/instances',
      summary: 'KMS instances the user can read',
      operationId: 'listKmsInstances',
      tag: 'Key management',
      response: z.array(KmsInstance),
    },
    async ({ session, requestId }) => {
      return (
        await engine.call(engineApi.listKmsInstances, {
          token: session.token,
          requestId,
        })
      ).instances;
    },
  );
}
