import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  ActivityList,
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeySummary,
  Cluster,
  ClusterIdParam,
  ClusterList,
  DeleteKeyQuery,
  EnableKmsAccepted,
  EnableKmsRequest,
  Id,
  InstanceCollection,
  KeyAction,
  KeyCollection,
  KeyCreateRequest,
  KeyIdParam,
  Me,
  RawSecret,
  Secret,
  SecretListQuery,
  SecretMeta,
  SecretPage,
  SecretRef,
  SecretUpdate,
  SecretWrite,
  TokenRequest,
  TokenResponse,
  UnwrapRequest,
  WrapRequest,
  buildOpenApi,
  type Operation,
  type RootKey,
} from '@keyhaven/contracts';
import { EngineError, type Engine, type Principal } from '@keyhaven/engine';
import { errorHandler, notFoundHandler, parse } from './http.ts';

const KEY_TYPE = 'application/vnd.ibm.kms.key+json';
const keyCollection = (resources: RootKey[]) => ({
  metadata: { collectionType: KEY_TYPE, collectionTotal: resources.length },
  resources,
});

interface Call<P, Q, B> {
  req: Request;
  res: Response;
  principal: Principal;
  params: P;
  query: Q;
  body: B;
}

type RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = Omit<
  Operation,
  'params' | 'query' | 'body'
> & {
  params?: P;
  query?: Q;
  body?: B;
  /** Status for a successful answer. */
  status?: number;
  contentType?: string;
};

/** The engine's HTTP API: Key Protect's key API, the Kubernetes Service cluster API, IAM tokens. */
export function createApp(engine: Engine, logger: Logger) {
  const app = express();
  const operations: Operation[] = [];
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(helmet());
  app.use(express.json({ limit: '2mb', type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));

  const route = <
    P extends z.ZodType = z.ZodType<Record<string, never>>,
    Q extends z.ZodType = z.ZodType<Record<string, never>>,
    B extends z.ZodType = z.ZodType<undefined>,
  >(
    spec: RouteSpec<P, Q, B> & { auth?: boolean },
    handler: (call: Call<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>,
  ) => {
    operations.push(spec);
    app[spec.method](spec.path, async (req: Request, res: Response) => {
      const principal =
        spec.auth === false
          ? (undefined as unknown as Principal)
          : await engine.iam.authenticate(req.headers.authorization);
      const params = spec.params ? parse(spec.params, req.params, 'params') : {};
      const query = spec.query ? parse(spec.query, req.query, 'query') : {};
      const body = spec.body ? parse(spec.body, req.body ?? {}, 'body') : undefined;
      const result = await handler({ req, res, principal, params, query, body } as Call<
        z.infer<P>,
        z.infer<Q>,
        z.infer<B>
      >);
      if (res.headersSent) return;
      if (result === undefined) {
        res.status(spec.status ?? 204).end();
        return;
      }
      res.type(spec.contentType ?? 'application/json');
      res.status(spec.status ?? 200).send(JSON.stringify(result));
    });
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      const state = await engine.ready();
      const ok = Object.values(state.adapters).every((s) => s === 'ok');
      res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', ...state });
    } catch {
      res.status(503).json({ status: 'not ready', store: 'unavailable' });
    }
  });

  // --- IAM ---
  route(
    {
      method: 'post',
      path: '/identity/token',
      summary: 'Exchange an API key or password for a bearer token',
      body: TokenRequest,
      response: TokenResponse,
      auth: false,
    },
    ({ body }) => engine.iam.token(body),
  );
  route(
    {
      method: 'post',
      path: '/identity/revoke',
      summary: 'Revoke the bearer token (logout)',
      auth: false,
    },
    async ({ req }) => {
      await engine.iam.revoke(req.headers.authorization);
    },
  );
  route(
    {
      method: 'get',
      path: '/identity/me',
      summary: 'Who the token belongs to, with roles',
      response: Me,
    },
    async ({ principal }) => engine.iam.me(principal),
  );
  route(
    {
      method: 'get',
      path: '/identity/apikeys',
      summary: "List the caller's API keys",
      response: z.array(ApiKeySummary),
    },
    ({ principal }) => engine.iam.listApiKeys(principal),
  );
  route(
    {
      method: 'post',
      path: '/identity/apikeys',
      summary: 'Create an API key (shown once)',
      body: ApiKeyCreate,
      response: ApiKeyCreated,
      status: 201,
    },
    ({ principal, body }) => engine.iam.createApiKey(principal, body.name),
  );
  route(
    {
      method: 'delete',
      path: '/identity/apikeys/:id',
      summary: 'Revoke an API key',
      params: KeyIdParam,
    },
    async ({ principal, params }) => {
      await engine.iam.revokeApiKey(principal, params.id);
    },
  );

  // --- KMS instances and root keys (Key Protect v2) ---
  route(
    {
      method: 'get',
      path: '/v2/kms/instances',
      summary: 'KMS instances the caller can read',
      response: InstanceCollection,
    },
    async ({ principal }) => ({
      instances: await engine.keys.listInstances(principal),
    }),
  );

  const instanceHeader = (req: Request) => parse(Id, req.headers['bluemix-instance'], 'header');

  route(
    {
      method: 'get',
      path: '/api/v2/keys',
      summary: "List an instance's root keys (Bluemix-Instance header)",
      response: KeyCollection,
      contentType: KEY_TYPE,
    },
    async ({ req, principal }) => {
      const keys = await engine.keys.list(principal, instanceHeader(req));
      return keyCollection(await Promise.all(keys.map((k) => engine.keys.view(k))));
    },
  );
  route(
    {
      method: 'post',
      path: '/api/v2/keys',
      summary: 'Create a root key',
      body: KeyCreateRequest,
      response: KeyCollection,
      status: 201,
      contentType: KEY_TYPE,
    },
    async ({ req, principal, body }) => {
      const input = body.resources[0];
      if (!input)
        throw new EngineError(400, 'INVALID_REQUEST', 'body.resources: one key is required');
      const key = await engine.keys.create(principal, instanceHeader(req), input);
      await engine.activity.record({
        actor: principal.username,
        action: 'key.create',
        target: { kind: 'key', id: key.id },
        result: 'success',
        message: `Created root key ${key.name}.`,
      });
      return keyCollection([await engine.keys.view(key)]);
    },
  );
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id',
      summary: 'One root key',
      params: KeyIdParam,
      response: KeyCollection,
      contentType: KEY_TYPE,
    },
    async ({ req, principal, params }) => {
      const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      return keyCollection([await engine.keys.view(key)]);
    },
  );
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id/versions',
      summary: "A root key's versions",
      params: KeyIdParam,
    },
    async ({ req, principal, params }) => {
      const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      const versions = (await engine.keys.view(key)).versions;
      return {
        metadata: {
          collectionType: 'application/vnd.ibm.kms.key_version+json',
          collectionTotal: versions.length,
        },
        resources: versions,
      };
    },
  );
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id/registrations',
      summary: 'Clusters that use a root key',
      params: KeyIdParam,
    },
    async ({ req, principal, params }) => {
      const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      const registrations = (await engine.keys.view(key)).registrations;
      return {
        metadata: {
          collectionType: 'application/vnd.ibm.kms.registration+json',
          collectionTotal: registrations.length,
        },
        resources: registrations,
      };
    },
  );
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id/activity',
      summary: "A root key's activity, newest first",
      params: KeyIdParam,
      response: ActivityList,
    },
    async ({ req, principal, params }) => {
      await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      return engine.activity.list('key', params.id);
    },
  );
  route(
    {
      method: 'post',
      path: '/api/v2/keys/:id/actions/:action',
      summary: 'wrap, unwrap, rewrap, rotate, disable or enable a root key',
      params: z.object({ id: Id, action: KeyAction }),
    },
    async ({ req, principal, params }) => {
      const instanceId = instanceHeader(req);
      switch (params.action) {
        case 'rotate':
          await engine.controller.rotate(principal, instanceId, params.id);
          return undefined;
        case 'disable':
        case 'enable':
          await engine.controller.setKeyEnabled(
            principal,
            instanceId,
            params.id,
            params.action === 'enable',
          );
          return undefined;
        case 'wrap':
          return engine.keys.wrapApi(
            principal,
            instanceId,
            params.id,
            parse(WrapRequest, req.body ?? {}, 'body'),
          );
        case 'unwrap':
          return engine.keys.unwrapApi(
            principal,
            instanceId,
            params.id,
            parse(UnwrapRequest, req.body ?? {}, 'body'),
          );
        case 'rewrap': {
          const request = parse(UnwrapRequest, req.body ?? {}, 'body');
          const { plaintext } = await engine.keys.unwrapApi(
            principal,
            instanceId,
            params.id,
            request,
          );
          const wrapped = await engine.keys.wrapApi(principal, instanceId, params.id, {
            plaintext,
            ...(request.aad && { aad: request.aad }),
          });
          return { ciphertext: wrapped.ciphertext, keyVersion: wrapped.keyVersion };
        }
      }
    },
  );
  route(
    {
      method: 'delete',
      path: '/api/v2/keys/:id',
      summary: 'Delete a root key (force=true if clusters use it)',
      params: KeyIdParam,
      query: DeleteKeyQuery,
      contentType: KEY_TYPE,
    },
    async ({ req, principal, params, query }) => {
      const key = await engine.controller.deleteKey(
        principal,
        instanceHeader(req),
        params.id,
        query.force,
      );
      return keyCollection([await engine.keys.view(key)]);
    },
  );

  // --- Clusters (Kubernetes Service API) ---
  route(
    {
      method: 'get',
      path: '/v2/clusters',
      summary: 'Clusters the caller can view',
      response: ClusterList,
    },
    ({ principal }) => engine.clusters.list(principal),
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id',
      summary: 'One cluster with master status and KMS configuration',
      params: ClusterIdParam,
      response: Cluster,
    },
    ({ principal, params }) => engine.clusters.get(principal, params.id),
  );
  route(
    {
      method: 'post',
      path: '/v2/enableKMS',
      summary: 'Enable or update KMS on a cluster (runs as a job)',
      body: EnableKmsRequest,
      response: EnableKmsAccepted,
      status: 202,
    },
    ({ principal, body }) => engine.controller.enable(principal, body),
  );
  route(
    {
      method: 'post',
      path: '/v2/disableKMS',
      summary: 'Always refused: KMS cannot be disabled once enabled (R5)',
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
      summary: "A cluster's activity, newest first",
      params: ClusterIdParam,
      response: ActivityList,
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
      summary: 'Server-Sent Events: master status changes',
      params: ClusterIdParam,
    },
    async ({ req, res, principal, params }) => {
      await engine.clusters.get(principal, params.id);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      const unwatch = await engine.controller.watch(params.id, (event) => {
        res.write(`id: ${event.revision}\nevent: status\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
      heartbeat.unref();
      await new Promise<void>((resolve) => {
        req.on('close', resolve);
        res.on('close', resolve);
      });
      clearInterval(heartbeat);
      unwatch();
    },
  );

  // --- Secrets of a cluster ---
  const SecretPath = ClusterIdParam.extend(SecretRef.shape);
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/secrets',
      summary: 'List secrets (names and storage state)',
      params: ClusterIdParam,
      query: SecretListQuery,
      response: SecretPage,
    },
    ({ principal, params, query }) => engine.secrets.list(principal, params.id, query),
  );
  route(
    {
      method: 'post',
      path: '/v2/clusters/:id/secrets',
      summary: 'Create a secret',
      params: ClusterIdParam,
      body: SecretWrite,
      response: SecretMeta,
      status: 201,
    },
    ({ principal, params, body }) => engine.secrets.write(principal, params.id, body, 'create'),
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/secrets/:namespace/:name',
      summary: 'Read a secret (decrypted)',
      params: SecretPath,
      response: Secret,
    },
    ({ principal, params }) =>
      engine.secrets.get(principal, params.id, params.namespace, params.name),
  );
  route(
    {
      method: 'put',
      path: '/v2/clusters/:id/secrets/:namespace/:name',
      summary: 'Replace a secret',
      params: SecretPath,
      body: SecretUpdate,
      response: SecretMeta,
    },
    ({ principal, params, body }) =>
      engine.secrets.write(
        principal,
        params.id,
        {
          namespace: params.namespace,
          name: params.name,
          type: body.type ?? 'Opaque',
          data: body.data,
        },
        'update',
      ),
  );
  route(
    {
      method: 'delete',
      path: '/v2/clusters/:id/secrets/:namespace/:name',
      summary: 'Delete a secret',
      params: SecretPath,
    },
    async ({ principal, params }) => {
      await engine.secrets.delete(principal, params.id, params.namespace, params.name);
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/secrets/:namespace/:name/raw',
      summary: 'The stored bytes of a secret, as the store holds them',
      params: SecretPath,
      response: RawSecret,
    },
    ({ principal, params }) =>
      engine.secrets.raw(principal, params.id, params.namespace, params.name),
  );

  const openapi = buildOpenApi('Keyhaven engine', operations);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
