import {
  Cluster,
  ClusterOverview,
  ClusterRows,
  ConnectClusterRequest,
  EnableKmsBody,
  EnableOptions,
  EnableOptionsQuery,
  ClusterIdParam,
  ConsoleStatusMessage,
  KmsPluginSetup,
  PluginKeyParams,
  PluginReportParams,
  ApiKeyList,
  engineApi,
} from '@keyhaven/contracts';
import { clientGone } from '@keyhaven/server';
import { clusterOverview } from '../cluster-overview.ts';
import { enableOptions } from '../enable-options.ts';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';
import type { StatusRelay } from '../sse.ts';

const ClusterPath = ClusterIdParam;

/** Clusters: the list, one cluster's Overview, the Enable/Update form and its submit, live status. */
export function clusterRoutes(route: Route, engine: EngineClient, relay: StatusRelay) {
  clusterStatusStreams(route, engine, relay);
  route(
    {
      method: 'get',
      path: '/clusters',
      summary: 'Clusters with KMS and master status per row',
      operationId: 'listClusters',
      tag: 'Clusters',
      response: ClusterRows,
    },
    async ({ session, requestId }) => {
      const clusters = await engine.call(engineApi.listClusters, {
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
        kms: c.kms && { instanceName: c.kms.instanceName, rootKeyName: c.kms.crkName },
        server: c.connection?.server ?? null,
      }));
    },
  );
  connectionRoutes(route, engine);

  route(
    {
      method: 'get',
      path: '/clusters/:id',
      summary: "One cluster's Overview: master status, KMS instance and root key",
      operationId: 'getClusterOverview',
      tag: 'Clusters',
      errors: [403],
      params: ClusterPath,
      response: ClusterOverview,
    },
    ({ session, requestId, params }) =>
      clusterOverview(engine, { token: session.token, requestId }, params.id),
  );

  route(
    {
      method: 'get',
      path: '/clusters/:id/enable-options',
      summary: 'Instances and root keys the Enable/Update form may offer',
      operationId: 'getEnableOptions',
      tag: 'Clusters',
      errors: [403],
      params: ClusterPath,
      query: EnableOptionsQuery,
      response: EnableOptions,
    },
    ({ session, requestId, params, query }) =>
      enableOptions(engine, { token: session.token, requestId }, params.id, query.instanceId),
  );

  route(
    {
      method: 'post',
      path: '/clusters/:id/kms',
      summary: 'Enable or update KMS (accepted at once, runs as a job)',
      operationId: 'enableKms',
      tag: 'Clusters',
      errors: [403, 409],
      params: ClusterPath,
      body: EnableKmsBody,
      response: Cluster,
      status: 202,
    },
    async ({ session, requestId, params, body }) => {
      const accepted = await engine.call(engineApi.enableKms, {
        token: session.token,
        requestId,
        body: { cluster: params.id, ...body },
      });
      return accepted.cluster;
    },
  );
}

/** Connected clusters: connect (checked at once), disconnect, and the plug-in's setup files. */
function connectionRoutes(route: Route, engine: EngineClient) {
  route(
    {
      method: 'post',
      path: '/clusters',
      summary: 'Connect a Kubernetes cluster (URL, CA certificate, service-account token)',
      operationId: 'connectCluster',
      tag: 'Clusters',
      errors: [403, 409],
      body: ConnectClusterRequest,
      response: Cluster,
      status: 201,
    },
    // Cancel in the console closes this request: the engine's check stops with it.
    ({ session, requestId, body, res }) =>
      engine.call(engineApi.connectCluster, {
        token: session.token,
        requestId,
        body,
        signal: clientGone(res),
      }),
  );
  route(
    {
      method: 'delete',
      path: '/clusters/:id',
      summary: 'Disconnect a connected cluster (only while KMS is not enabled)',
      operationId: 'disconnectCluster',
      tag: 'Clusters',
      errors: [403, 409],
      params: ClusterPath,
      status: 204,
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.disconnectCluster, {
        params,
        token: session.token,
        requestId,
      }),
  );
  route(
    {
      method: 'post',
      path: '/clusters/:id/kms-plugin-setup',
      summary:
        "The cluster's EncryptionConfiguration and KMS plug-in configuration (a new API key)",
      operationId: 'setUpKmsPlugin',
      tag: 'Clusters',
      errors: [403, 409],
      params: ClusterPath,
      response: KmsPluginSetup,
      status: 201,
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.setUpKmsPlugin, {
        params,
        token: session.token,
        requestId,
      }),
  );
  route(
    {
      method: 'get',
      path: '/clusters/:id/plugin-keys',
      summary: "The API keys of the cluster's KMS plug-in",
      operationId: 'listKmsPluginKeys',
      tag: 'Clusters',
      errors: [403, 409],
      params: ClusterPath,
      response: ApiKeyList,
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.listKmsPluginKeys, {
        params,
        token: session.token,
        requestId,
      }),
  );
  route(
    {
      method: 'delete',
      path: '/clusters/:id/plugin-keys/:keyId',
      summary: "Revoke an API key of the cluster's KMS plug-in",
      operationId: 'revokeKmsPluginKey',
      tag: 'Clusters',
      errors: [403, 404, 409],
      params: PluginKeyParams,
      status: 204,
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.revokeKmsPluginKey, {
        params,
        token: session.token,
        requestId,
      }),
  );
  route(
    {
      method: 'delete',
      path: '/clusters/:id/plugins/:resource',
      summary: 'Remove a KMS plug-in that stopped reporting, and revoke its API keys',
      operationId: 'removeKmsPlugin',
      tag: 'Clusters',
      errors: [403, 404, 409],
      params: PluginReportParams,
      status: 204,
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.removeKmsPlugin, {
        params,
        token: session.token,
        requestId,
      }),
  );
}

/**
 * Live master status as Server-Sent Events: one stream for the whole clusters list (the session's
 * own), and one per cluster for its Overview. Registered before /clusters/:id, which would take
 * "events" for a cluster id.
 */
function clusterStatusStreams(route: Route, engine: EngineClient, relay: StatusRelay) {
  route(
    {
      method: 'get',
      path: '/clusters/events',
      summary: 'Server-Sent Events: live master status of every cluster in the list',
      operationId: 'streamClustersStatus',
      tag: 'Clusters',
      response: ConsoleStatusMessage,
      contentType: 'text/event-stream',
    },
    async ({ req, res, session }) => {
      if (req.method === 'HEAD') return void res.status(200).type('text/event-stream').end();
      const lastEventId = req.headers['last-event-id'];
      relay.subscribeAll(
        res,
        session.token,
        typeof lastEventId === 'string' ? lastEventId : undefined,
      );
    },
  );

  route(
    {
      method: 'get',
      path: '/clusters/:id/events',
      summary: 'Server-Sent Events: live master status',
      operationId: 'streamClusterStatus',
      tag: 'Clusters',
      errors: [403],
      params: ClusterPath,
      response: ConsoleStatusMessage,
      contentType: 'text/event-stream',
    },
    async ({ req, res, session, requestId, params }) => {
      // Each subscriber must be allowed to view the cluster before it joins the shared stream.
      await engine.call(engineApi.getCluster, {
        params,
        token: session.token,
        requestId,
      });
      // HEAD: the stream's headers, checked like a GET, and no stream to wait on.
      if (req.method === 'HEAD') return void res.status(200).type('text/event-stream').end();
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
