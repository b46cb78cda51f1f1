import { engineApi, type ClusterOverview } from '@keyhaven/contracts';
import type { EngineClient } from './engine-client.ts';

/** The caller's token and request id, passed on to the engine. */
export interface Caller {
  token: string;
  requestId: string;
}

/** One cluster's Overview: the cluster, and its KMS instance and root key as the Summary shows them. */
export async function clusterOverview(
  engine: EngineClient,
  caller: Caller,
  clusterId: string,
): Promise<ClusterOverview> {
  // The instances are asked for alongside the cluster (one round trip less for the usual,
  // enabled case); each extra part may fail on its own without failing the Overview.
  const instancesRead = engine.call(engineApi.listKmsInstances, caller).catch(() => undefined);
  const cluster = await engine.call(engineApi.getCluster, { params: { id: clusterId }, ...caller });
  if (!cluster.kms) return { cluster, kms: null };
  const [instances, keys] = await Promise.all([
    instancesRead,
    engine
      .call(engineApi.getKey, {
        params: { id: cluster.kms.crkId },
        ...caller,
        headers: { 'bluemix-instance': cluster.kms.instanceId },
      })
      .catch(() => undefined),
  ]);
  const instance = instances?.instances.find((i) => i.id === cluster.kms?.instanceId);
  const key = keys?.resources[0];
  return {
    cluster,
    kms: {
      instanceId: cluster.kms.instanceId,
      instanceName: cluster.kms.instanceName,
      provider: cluster.kms.provider,
      region: instance?.region ?? null,
      rootKeyId: cluster.kms.crkId,
      rootKeyName: cluster.kms.crkName,
      rootKeyState: key?.state ?? null,
      keyVersion: cluster.kms.keyVersion,
      expirationDate: key?.expirationDate ?? null,
      privateEndpoint: cluster.kms.privateEndpoint,
    },
  };
}
