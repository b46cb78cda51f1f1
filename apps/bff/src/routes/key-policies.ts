import {
  DualAuthSetting,
  POLICY_MEDIA_TYPE,
  RootKey,
  RotationPolicyBody,
  engineApi,
  type RotationSetting,
} from '@keyhaven/contracts';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';
import { KeyPath, onKey, onlyKey } from './kms.ts';

/**
 * A root key's policies (rotation, dual authorization to delete) and the two steps of a
 * dual-authorization delete; each policy answers the key as it is now.
 */
export function keyPolicyRoutes(route: Route, engine: EngineClient) {
  /** Sets one policy in Key Protect's shape, then answers the key as it is now. */
  const putPolicy = async (
    call: ReturnType<typeof onKey>,
    policy: { rotation: RotationSetting } | { dualAuthDelete: DualAuthSetting },
  ) => {
    await engine.call(engineApi.putKeyPolicy, {
      ...call,
      query: { policy: 'rotation' in policy ? 'rotation' : 'dualAuthDelete' },
      body: {
        metadata: { collectionType: POLICY_MEDIA_TYPE, collectionTotal: 1 },
        resources: [{ type: POLICY_MEDIA_TYPE, ...policy }],
      },
    });
    return onlyKey(await engine.call(engineApi.getKey, call));
  };
  route(
    {
      method: 'put',
      path: '/kms/instances/:id/keys/:keyId/policies/rotation',
      summary: "Set a root key's rotation policy; answers the key with its next rotation date",
      operationId: 'setRotationPolicy',
      tag: 'Key management',
      errors: [403, 409],
      params: KeyPath,
      body: RotationPolicyBody,
      response: RootKey,
    },
    ({ session, requestId, params, body }) =>
      putPolicy(onKey(session, requestId, params), {
        rotation: {
          enabled: body.enabled,
          ...(body.intervalMonth !== undefined && { interval_month: body.intervalMonth }),
        },
      }),
  );
  route(
    {
      method: 'put',
      path: '/kms/instances/:id/keys/:keyId/policies/dual-auth-delete',
      summary: 'Turn on dual authorization to delete a root key (it cannot be turned off)',
      operationId: 'setDualAuthPolicy',
      tag: 'Key management',
      errors: [403, 409],
      params: KeyPath,
      body: DualAuthSetting,
      response: RootKey,
    },
    ({ session, requestId, params, body }) =>
      putPolicy(onKey(session, requestId, params), { dualAuthDelete: body }),
  );
  for (const [method, operation, summary] of [
    [
      'put',
      'setKeyForDeletion',
      'Authorize deleting a root key: another Manager deletes it within 7 days',
    ],
    ['delete', 'unsetKeyForDeletion', 'Cancel the authorization to delete a root key'],
  ] as const)
    route(
      {
        method,
        path: '/kms/instances/:id/keys/:keyId/deletion-authorization',
        summary,
        operationId: operation,
        tag: 'Key management',
        errors: [403, 409],
        params: KeyPath,
      },
      async ({ session, requestId, params }) => {
        await engine.call(engineApi[operation], onKey(session, requestId, params));
      },
    );
}
