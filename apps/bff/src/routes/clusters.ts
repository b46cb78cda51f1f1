import { z } from 'zod';
import {
  Cluster,
  ClusterList,
  ClusterOverview,
  ClusterRows,
  EnableKmsAccepted,
  EnableKmsBody,
  EnableOptions,
  EnableOptionsQuery,
  Id,
  InstanceCollection,
  KeyCollection,
  Me,
  hasPlatformRole,
} from '@keyhaven/contracts';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';
import type { StatusRelay } from '../sse.ts';

/** Clusters: the list, one cluster's Overview, the Enable/Update form and its submit, live status. */
export function clusterRoutes(route: Route, engine: EngineClient, relay: StatusRelay) {
  route(
    {
      method: 'get',
      path: '/clusters',
      summary: 'Clusters with KMS and master status per row',
      response: ClusterRows,
    },
    async ({ session, requestId }) => {
      const clusters = await engine.json(ClusterList, {
        path: '/v2/clusters',
        token: session.token,
        requestId,
      });
      return clusters.map((c) => ({
        id: c.id,
        name: c.name,
        location: c.location,
        region: c.region,
        masterKubeVersion: c.masterKubeVersion,
        masterStatus: c.masterStatus,
        masterHealth: c.masterHealth,
        kmsEnabled: c.features.keyProtectEnabled,
      }));
    },
  );

  const ClusterPath = z.object({ id: Id });
  route(
    {
      method: 'get',
      path: '/clusters/:id',
      summary: "One cluster's Overview: master status, KMS instance and root key",
      params: ClusterPath,
      response: ClusterOverview,
    },
    async ({ session, requestId, params }) => {
      // The instances are asked for alongside the cluster (one round trip less for the usual,
      // enabled case); each extra part may fail on its own without failing the Overview.
      const instancesRead = engine
        .json(InstanceCollection, { path: '/v2/kms/instances', token: session.token, requestId })
        .catch(() => undefined);
      const cluster = await engine.json(Cluster, {
        path: `/v2/clusters/${params.id}`,
        token: session.token,
        requestId,
      });
      if (!cluster.kms) return { cluster, kms: null };
      const [instances, keys] = await Promise.all([
        instancesRead,
        engine
          .json(KeyCollection, {
            path: `/api/v2/keys/${cluster.kms.crkId}`,
            token: session.token,
            requestId,
            headers: { 'bluemix-instance': cluster.kms.instanceId },
          })
          .catch(() => undefined),
      ]);
      const instance = instances?.instances.find((i) => i.id === cluster.kms?.instanceId);
      const key = keys?.resources[0];
      return {
        cluster,
        kms: {
          instanceName: cluster.kms.instanceName,
          provider: cluster.kms.provider,
          region: instance?.region ?? null,
          rootKeyName: cluster.kms.crkName,
          rootKeyState: key?.state ?? null,
          keyVersion: cluster.kms.keyVersion,
          expirationDate: key?.expirationDate ?? null,
          privateEndpoint: cluster.kms.privateEndpoint,
        },
      };
    },
  );

  route(
    {
      method: 'get',
      path: '/clusters/:id/enable-options',
      summary: 'Instances and root keys the Enable/Update form may offer',
      params: ClusterPath,
      query: EnableOptionsQuery,
      response: EnableOptions,
    },
    async ({ session, requestId, params, query }) => {
      const [cluster, me, instances] = await Promise.all([
        engine.json(Cluster, {
          path: `/v2/clusters/${params.id}`,
          token: session.token,
          requestId,
        }),
        engine.json(Me, { path: '/identity/me', token: session.token, requestId }),
        engine.json(InstanceCollection, {
          path: '/v2/kms/instances',
          token: session.token,
          requestId,
        }),
      ]);
      // Cross-account instances work through the API and CLI, not the console (R11).
      const offered = instances.instances.filter((i) => i.accountId === cluster.accountId);
      const canEnable = hasPlatformRole(me, cluster.id, 'Administrator');
      const chosen = query.instanceId && offered.find((i) => i.id === query.instanceId);
      if (!chosen) return { instances: offered, keys: [], canEnable };
      const keys = await engine.json(KeyCollection, {
        path: '/api/v2/keys',
        token: session.token,
        requestId,
        headers: { 'bluemix-instance': chosen.id },
      });
      const now = Date.now();
      return {
        instances: offered,
        canEnable,
        keys: keys.resources.map((k) => {
          const expiry = k.expirationDate ? new Date(k.expirationDate).getTime() : undefined;
          const reason: EnableOptions['keys'][number]['reason'] =
            k.state === 5
              ? 'destroyed'
              : expiry !== undefined && expiry <= now
                ? 'expired'
                : k.state !== 1
                  ? 'disabled'
                  : cluster.kms?.crkId === k.id
                    ? 'in-use'
                    : cluster.kms?.previousCrkIds.includes(k.id)
                      ? 'used-before'
                      : canEnable
                        ? null
                        : 'no-permission';
          const reasonText = {
            destroyed: 'Deleted',
            expired: 'Expired',
            disabled: 'Disabled',
            'in-use': 'In use by this cluster',
            'used-before': 'Used before by this cluster',
            'no-permission': 'No permission',
          };
          return {
            id: k.id,
            name: k.name,
            state: k.state,
            expirationDate: k.expirationDate ?? null,
            selectable: reason === null,
            reason,
            reasonText: reason && reasonText[reason],
            expiresSoon:
              expiry !== undefined && expiry > now && expiry - now < 30 * 24 * 3600 * 1000,
          };
        }),
      };
    },
  );

  route(
    {
      method: 'post',
      path: '/clusters/:id/kms',
      summary: 'Enable or update KMS (accepted at once, runs as a job)',
      params: ClusterPath,
      body: EnableKmsBody,
      response: Cluster,
      status: 202,
    },
    async ({ session, requestId, params, body }) => {
      const accepted = await engine.json(EnableKmsAccepted, {
        method: 'POST',
        path: '/v2/enableKMS',
        token: session.token,
        requestId,
        body: { cluster: params.id, ...body },
      });
      return accepted.cluster;
    },
  );

  route(
    {
      method: 'get',
      path: '/clusters/:id/events',
      summary: 'Server-Sent Events: live master status',
      params: ClusterPath,
    },
    async ({ req, res, session, requestId, params }) => {
      // Each subscriber must be allowed to view the cluster before it joins the shared stream.
      await engine.json(Cluster, {
        path: `/v2/clusters/${params.id}`,
        token: session.token,
        requestId,
      });
      const lastEventId = req.headers['last-event-id'];
      relay.subscribe(
        params.id,
        res,
        session.token,
        typeof lastEventId === 'string' ? lastEventId : undefined,
      );
    },
  );
}
