import type { Request, Response } from 'express';
import {
  ActivityList,
  ApiKeyList,
  PluginKeyParams,
  Cluster,
  ClusterIdParam,
  ClusterList,
  ConnectClusterRequest,
  EnableKmsAccepted,
  EnableKmsRequest,
  KmsPluginSetup,
  PluginReport,
  PluginReportParams,
  StatusEventMessage,
} from '@keyhaven/contracts';
import { EngineError } from '@keyhaven/engine';
import type { RouteDeps } from './route.ts';

/** Kubernetes Service: clusters with their master status, Enable/Update KMS, and activity. */
export function clusterRoutes({ route, engine }: RouteDeps, publicUrl?: string) {
  const tag = 'Kubernetes Service';
  /** Whether the stream's token still holds: it ends when the token is revoked or expires. */
  const authorized = (req: Request) =>
    engine.iam.authenticate(req.headers.authorization).then(
      () => true,
      () => false,
    );
  route(
    {
      method: 'get',
      path: '/v2/clusters',
      operationId: 'listClusters',
      tag,
      summary: 'Clusters the caller can view',
      response: ClusterList,
    },
    ({ principal }) => engine.clusters.list(principal),
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/watch',
      operationId: 'watchClusters',
      tag,
      summary: 'Server-Sent Events: master status changes of every cluster the caller can view',
      response: StatusEventMessage,
      contentType: 'text/event-stream',
    },
    async ({ req, res, principal }) => {
      const visible = new Set((await engine.clusters.list(principal)).map((c) => c.id));
      if (req.method === 'HEAD') return void res.status(200).type('text/event-stream').end();
      await streamStatus(req, res, (send) => engine.controller.watchAll(visible, send), authorized);
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id',
      operationId: 'getCluster',
      tag,
      summary: 'One cluster with master status and KMS configuration',
      params: ClusterIdParam,
      response: Cluster,
      errors: [403],
    },
    ({ principal, params }) => engine.clusters.get(principal, params.id),
  );
  connectionRoutes({ route, engine }, publicUrl);
  route(
    {
      method: 'post',
      path: '/v2/enableKMS',
      operationId: 'enableKms',
      tag,
      summary: 'Enable or update KMS on a cluster (runs as a job)',
      body: EnableKmsRequest,
      response: EnableKmsAccepted,
      status: 202,
      errors: [403, 404, 409],
    },
    ({ principal, body }) => engine.controller.enable(principal, body),
  );
  route(
    {
      method: 'post',
      path: '/v2/disableKMS',
      operationId: 'disableKms',
      tag,
      summary: 'Always refused: KMS cannot be disabled once enabled (R5)',
      errors: [409],
    },
    async () => {
      throw new EngineError(
        409,
        'KMS_CANNOT_BE_DISABLED',
        'KMS encryption cannot be disabled once enabled. You can update the cluster to another KMS instance or root key.',
      );
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/activity',
      operationId: 'listClusterActivity',
      tag,
      summary: "A cluster's activity, newest first",
      params: ClusterIdParam,
      response: ActivityList,
      errors: [403],
    },
    async ({ principal, params }) => {
      await engine.clusters.get(principal, params.id);
      return engine.activity.list('cluster', params.id);
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/watch',
      operationId: 'watchCluster',
      tag,
      summary: 'Server-Sent Events: master status changes',
      params: ClusterIdParam,
      response: StatusEventMessage,
      contentType: 'text/event-stream',
      errors: [403],
    },
    async ({ req, res, principal, params }) => {
      await engine.clusters.get(principal, params.id);
      // HEAD: the stream's headers, checked like a GET, and no stream to wait on.
      if (req.method === 'HEAD') return void res.status(200).type('text/event-stream').end();
      await streamStatus(req, res, (send) => engine.controller.watch(params.id, send), authorized);
    },
  );
}

/** Connected clusters: connect, disconnect, the plug-in's setup files and its reports. */
function connectionRoutes({ route, engine }: RouteDeps, publicUrl: string | undefined) {
  const tag = 'Kubernetes Service';
  route(
    {
      method: 'post',
      path: '/v2/clusters',
      operationId: 'connectCluster',
      tag,
      summary:
        'Connect a real Kubernetes cluster: its credentials are checked at once, the token kept sealed',
      body: ConnectClusterRequest,
      response: Cluster,
      status: 201,
      errors: [403, 409],
    },
    async ({ principal, body }) => {
      const record = await engine.connections.connect(principal, body);
      return engine.clusters.view(record);
    },
  );
  route(
    {
      method: 'delete',
      path: '/v2/clusters/:id',
      operationId: 'disconnectCluster',
      tag,
      summary: 'Disconnect a connected cluster (only while KMS is not enabled, R5)',
      params: ClusterIdParam,
      status: 204,
      errors: [403, 409],
    },
    async ({ principal, params }) => {
      await engine.connections.disconnect(principal, params.id);
    },
  );
  route(
    {
      method: 'post',
      path: '/v2/clusters/:id/kms-plugin-setup',
      operationId: 'setUpKmsPlugin',
      tag,
      summary:
        "The cluster's EncryptionConfiguration and KMS plug-in configuration, with a new API key scoped to its plug-in",
      params: ClusterIdParam,
      response: KmsPluginSetup,
      status: 201,
      errors: [403, 409],
    },
    ({ req, principal, params }) =>
      engine.pluginIdentities.pluginSetup(principal, params.id, publicUrl ?? localUrl(req)),
  );
  route(
    {
      method: 'post',
      path: '/v2/clusters/:id/plugin-reports',
      operationId: 'reportKmsPlugin',
      tag,
      summary:
        'A KMS plug-in following the cluster reports its health and the key_id of its last Encrypt',
      params: ClusterIdParam,
      body: PluginReport,
      status: 204,
      errors: [403, 409],
    },
    async ({ principal, params, body }) => {
      if (await engine.pluginReports.report(principal, params.id, body))
        await engine.controller.refreshStatus(params.id);
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/kms-plugin-keys',
      operationId: 'listKmsPluginKeys',
      tag,
      summary: "The API keys of the cluster's KMS plug-in, with the API server each serves",
      params: ClusterIdParam,
      response: ApiKeyList,
      errors: [403, 409],
    },
    ({ principal, params }) => engine.pluginIdentities.pluginKeys(principal, params.id),
  );
  route(
    {
      method: 'delete',
      path: '/v2/clusters/:id/kms-plugin-keys/:keyId',
      operationId: 'revokeKmsPluginKey',
      tag,
      summary: "Revoke an API key of the cluster's KMS plug-in (its tokens and streams end)",
      params: PluginKeyParams,
      status: 204,
      errors: [403, 404, 409],
    },
    async ({ principal, params }) => {
      await engine.pluginIdentities.revokePluginKey(principal, params.id, params.keyId);
    },
  );
  route(
    {
      method: 'delete',
      path: '/v2/clusters/:id/plugin-reports/:resource',
      operationId: 'removeKmsPlugin',
      tag,
      summary:
        'Remove a KMS plug-in that stopped reporting (its API server is gone) and revoke its API keys',
      params: PluginReportParams,
      status: 204,
      errors: [403, 404, 409],
    },
    async ({ principal, params }) => {
      await engine.pluginReports.removeReport(principal, params.id, params.resource);
      await engine.controller.refreshStatus(params.id);
    },
  );
}

/** The address and port this request came in on, as a URL (for a plug-in on the same host). */
function localUrl(req: Request): string {
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const host = address.includes(':') ? `[${address}]` : address;
  return `${req.protocol}://${host}:${req.socket.localPort ?? 80}`;
}

/** How often an open status stream checks that its token still holds. */
const STREAM_RECHECK_MS = 5_000;

/**
 * Sends each status event as SSE, with a heartbeat, until the client goes away or its token no
 * longer holds (revoked, expired, or its API key revoked): a stream outlives no credential.
 */
async function streamStatus(
  req: Request,
  res: Response,
  watch: (send: (event: { revision: number }) => void) => Promise<() => void>,
  authorized: (req: Request) => Promise<boolean>,
): Promise<void> {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  const unwatch = await watch((event) => {
    res.write(`id: ${event.revision}\nevent: status\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
  heartbeat.unref();
  const recheck = setInterval(() => {
    void authorized(req).then((ok) => {
      if (!ok) res.end();
    });
  }, STREAM_RECHECK_MS);
  recheck.unref();
  await new Promise<void>((resolve) => {
    req.on('close', resolve);
    res.on('close', resolve);
  });
  clearInterval(heartbeat);
  clearInterval(recheck);
  unwatch();
}
