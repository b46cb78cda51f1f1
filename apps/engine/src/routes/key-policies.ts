import { engineApi as api, POLICY_MEDIA_TYPE } from '@keyhaven/contracts';
import { collection, instanceHeader, type RouteDeps } from './route.ts';

/** Key Protect's policies: a root key's rotation policy, and its instance's default for new keys. */
export function keyPolicyRoutes({ route, engine }: RouteDeps) {
  route(api.putKeyPolicy, async ({ req, principal, params, body }) => {
    const [{ rotation }] = body.resources;
    const key = await engine.keyPolicies.setKeyRotation(
      principal,
      instanceHeader(req),
      params.id,
      rotation,
    );
    return collection(POLICY_MEDIA_TYPE, engine.keyPolicies.keyPolicies(key));
  });
  route(api.listKeyPolicies, async ({ req, principal, params }) => {
    const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
    return collection(POLICY_MEDIA_TYPE, engine.keyPolicies.keyPolicies(key));
  });
  route(api.putInstancePolicy, async ({ req, principal, body }) => {
    const [{ policy_data: data }] = body.resources;
    const instanceId = instanceHeader(req);
    await engine.keyPolicies.setInstanceRotation(principal, instanceId, {
      enabled: data.enabled,
      ...(data.attributes && { interval_month: data.attributes.interval_month }),
    });
    return collection(
      POLICY_MEDIA_TYPE,
      await engine.keyPolicies.instancePolicies(principal, instanceId),
    );
  });
  route(api.listInstancePolicies, async ({ req, principal }) =>
    collection(
      POLICY_MEDIA_TYPE,
      await engine.keyPolicies.instancePolicies(principal, instanceHeader(req)),
    ),
  );
}
