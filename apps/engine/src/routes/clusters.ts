import type { Request, Response } from 'express';
import { engineApi as api } from '@keyhaven/contracts';
import { EngineError } from '@keyhaven/engine';
import { clientGone } from '@keyhaven/server';
import type { RouteDeps } from './route.ts';

/** Kubernetes Service: clusters with their master status, Enable/Update KMS, and activity. */
export function clusterRoutes(
  { route, engine }: RouteDeps,
  publicUrl?: string,
  pluginClientCertificates = false,
) {
  /** Whether the stream's token still holds: it ends when the token is revoked or expires. */
  const authorized = (req: Request) =>
    engine.iam.authenticate(req.headers.authorization).then(
      () => true,
      () => false,
    );
  route(api.listClusters, ({ principal }) => engine.clusters.list(principal));
  route(api.watchClusters, async ({ req, res, principal }) => {
    const visible = new Set((await engine.clusters.list(principal)).map((c) => c.id));
    if (req.method === 'HEAD') return void res.status(200).type('text/event-stream').end();
    await streamStatus(req, res, (send) => engine.controller.watchAll(visible, send), authorized);
  });
  route(api.getCluster, ({ principal, params }) => engine.clusters.get(principal, params.id));
  connectionRoutes({ route, engine }, publicUrl, pluginClientCertificates);
  route(api.enableKms, ({ principal, body }) => engine.controller.enable(principal, body));
  route(api.disableKms, async () => {
    throw new EngineError(
      409,
      'KMS_CANNOT_BE_DISABLED',
      'KMS encryption cannot be disabled once enabled. You can update the cluster to another KMS instance or root key.',
    );
  });
  route(api.listClusterActivity, async ({ principal, params }) => {
    await engine.clusters.get(principal, params.id);
    return engine.activity.list('cluster', params.id);
  });
  route(api.watchCluster, async ({ req, res, principal, params }) => {
    await engine.clusters.get(principal, params.id);
    // HEAD: the stream's headers, checked like a GET, and no stream to wait on.
    if (req.method === 'HEAD') return void res.status(200).type('text/event-stream').end();
    await streamStatus(req, res, (send) => engine.controller.watch(params.id, send), authorized);
  });
}

/** Connected clusters: connect, disconnect, the plug-in's setup files and its reports. */
function connectionRoutes(
  { route, engine }: RouteDeps,
  publicUrl: string | undefined,
  pluginClientCertificates: boolean,
) {
  route(api.connectCluster, async ({ principal, body, res }) => {
    const record = await engine.connections.connect(principal, body, clientGone(res));
    return engine.clusters.view(record);
  });
  route(api.disconnectCluster, async ({ principal, params }) => {
    await engine.connections.disconnect(principal, params.id);
  });
  route(api.setUpKmsPlugin, ({ req, principal, params }) =>
    engine.pluginIdentities.pluginSetup(
      principal,
      params.id,
      publicUrl ?? localUrl(req),
      pluginClientCertificates,
    ),
  );
  route(api.reportKmsPlugin, async ({ principal, params, body }) => {
    if (await engine.pluginReports.report(principal, params.id, body))
      await engine.controller.refreshStatus(params.id);
  });
  route(api.listKmsPluginKeys, ({ principal, params }) =>
    engine.pluginIdentities.pluginKeys(principal, params.id),
  );
  route(api.revokeKmsPluginKey, async ({ principal, params }) => {
    await engine.pluginIdentities.revokePluginKey(principal, params.id, params.keyId);
  });
  route(api.removeKmsPlugin, async ({ principal, params }) => {
    await engine.pluginReports.removeReport(principal, params.id, params.resource);
    await engine.controller.refreshStatus(params.id);
  });
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
