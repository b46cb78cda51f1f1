import { engineApi as api, POLICY_MEDIA_TYPE, type PolicyType } from '@keyhaven/contracts';
import { EngineError } from '@keyhaven/engine';
import { collection, instanceHeader, type RouteDeps } from './route.ts';

/** The body set another policy than the `policy` query parameter names. */
const mismatch = (policy: PolicyType) =>
  new EngineError(
    400,
    'INVALID_REQUEST',
    `policy=${policy} sets the ${policy} policy, but the body's resource holds another one.`,
    { issues: [{ path: `body.resources.0.${policy}`, message: 'missing' }] },
  );

/**
 * Key Protect's policies: a root key's rotation and dual-authorization-delete policies, and its
 * instance's defaults for new keys.
 */
export function keyPolicyRoutes({ route, engine }: RouteDeps) {
  route(api.putKeyPolicy, async ({ req, principal, params, query, body }) => {
    const [resource] = body.resources;
    const instanceId = instanceHeader(req);
    const policies = engine.keyPolicies;
    let key;
    if (query.policy === 'rotation' && 'rotation' in resource)
      key = await policies.setKeyRotation(principal, instanceId, params.id, resource.rotation);
    else if (query.policy === 'dualAuthDelete' && 'dualAuthDelete' in resource)
      key = await policies.setKeyDualAuth(
        principal,
        instanceId,
        params.id,
        resource.dualAuthDelete,
      );
    else throw mismatch(query.policy);
    return collection(POLICY_MEDIA_TYPE, policies.keyPolicies(key));
  });
  route(api.listKeyPolicies, async ({ req, principal, params }) => {
    const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
    return collection(POLICY_MEDIA_TYPE, engine.keyPolicies.keyPolicies(key));
  });
  route(api.putInstancePolicy, async ({ req, principal, query, body }) => {
    const [resource] = body.resources;
    const instanceId = instanceHeader(req);
    const policies = engine.keyPolicies;
    if (query.policy !== resource.policy_type) throw mismatch(query.policy);
    if (resource.policy_type === 'rotation') {
      const { enabled, attributes } = resource.policy_data;
      await policies.setInstanceRotation(principal, instanceId, {
        enabled,
        ...(attributes && { interval_month: attributes.interval_month }),
      });
    } else await policies.setInstanceDualAuth(principal, instanceId, resource.policy_data);
    return collection(POLICY_MEDIA_TYPE, await policies.instancePolicies(principal, instanceId));
  });
  route(api.listInstancePolicies, async ({ req, principal }) =>
    collection(
      POLICY_MEDIA_TYPE,
      await engine.keyPolicies.instancePolicies(principal, instanceHeader(req)),
    ),
  );
}
