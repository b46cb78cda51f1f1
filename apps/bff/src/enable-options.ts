import {
  authorizes,
  engineApi,
  expiresSoon,
  hasPlatformRole,
  keyOfCluster,
  keyUsability,
  type Cluster,
  type EnableOptions,
  type RootKey,
  type UnselectableReason,
} from '@keyhaven/contracts';
import type { Caller } from './cluster-overview.ts';
import type { EngineClient } from './engine-client.ts';

const REASON_TEXT: Record<UnselectableReason, string> = {
  destroyed: 'Deleted',
  expired: 'Expired',
  disabled: 'Disabled',
  'in-use': 'In use by this cluster',
  'used-before': 'Used before by this cluster',
  'no-permission': 'No permission',
};

/** Why the form cannot offer a root key to this cluster (the engine's rules), or null. */
function unselectable(
  key: RootKey,
  cluster: Cluster,
  canEnable: boolean,
  now: Date,
): UnselectableReason | null {
  const usability = keyUsability(key, now);
  if (!usability.usable) return usability.reason;
  const had = keyOfCluster(key, {
    crkId: cluster.kms?.crkId,
    previousCrkIds: cluster.kms?.previousCrkIds ?? [],
  });
  if (had) return had.reason;
  return canEnable ? null : 'no-permission';
}

/**
 * What the Enable/Update form may offer: the cluster's account's instances (cross-account ones
 * work through the API and CLI, not the console: R11) and, for the chosen one, every root key with
 * the reason it cannot be picked.
 */
export async function enableOptions(
  engine: EngineClient,
  caller: Caller,
  clusterId: string,
  instanceId: string | undefined,
): Promise<EnableOptions> {
  const [cluster, me, instances] = await Promise.all([
    engine.call(engineApi.getCluster, { params: { id: clusterId }, ...caller }),
    engine.call(engineApi.getMe, caller),
    engine.call(engineApi.listKmsInstances, caller),
  ]);
  const offered = instances.instances.filter((i) => i.accountId === cluster.accountId);
  const canEnable = hasPlatformRole(me, cluster, 'Administrator');
  const chosen = instanceId && offered.find((i) => i.id === instanceId);
  if (!chosen) return { instances: offered, keys: [], canEnable, authorization: null };
  const [keys, policies] = await Promise.all([
    engine.call(engineApi.listKeys, {
      ...caller,
      headers: { 'bluemix-instance': chosen.id },
    }),
    engine.call(engineApi.listAuthorizations, caller),
  ]);
  const authorized = policies.some((p) => authorizes(p, cluster.accountId, chosen));
  const now = new Date();
  return {
    instances: offered,
    canEnable,
    authorization: authorized ? 'present' : 'created-on-enable',
    keys: keys.resources.map((k) => {
      const reason = unselectable(k, cluster, canEnable, now);
      return {
        id: k.id,
        name: k.name,
        state: k.state,
        expirationDate: k.expirationDate ?? null,
        selectable: reason === null,
        reason,
        reasonText: reason && REASON_TEXT[reason],
        expiresSoon: expiresSoon(k, now),
      };
    }),
  };
}
