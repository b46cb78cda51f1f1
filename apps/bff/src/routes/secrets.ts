import type { z } from 'zod';
import {
  ClusterIdParam,
  RawSecret,
  Secret,
  SecretListQuery,
  SecretMeta,
  SecretPage,
  SecretRef,
  SecretWrite,
  secretBodyProblem,
} from '@keyhaven/contracts';
import { bodyPrecheck } from '@keyhaven/server';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';

const ClusterPath = ClusterIdParam;
const SecretPath = ClusterPath.extend(SecretRef.shape);
const secretUrl = (p: z.infer<typeof SecretPath>) =>
  `/v2/clusters/${p.id}/secrets/${encodeURIComponent(p.namespace)}/${encodeURIComponent(p.name)}`;

/** A cluster's secrets (as kubectl would see them), their stored bytes, and activity. */
export function secretRoutes(route: Route, engine: EngineClient) {
  route(
    {
      method: 'get',
      path: '/clusters/:id/secrets',
      summary: "A page of the cluster's secrets: names and storage state, never values",
      operationId: 'listSecrets',
      tag: 'Secrets',
      errors: [403],
      params: ClusterPath,
      query: SecretListQuery,
      response: SecretPage,
    },
    ({ session, requestId, params, query }) => {
      const search = new URLSearchParams({ limit: String(query.limit) });
      if (query.namespace) search.set('namespace', query.namespace);
      if (query.continue) search.set('continue', query.continue);
      if (query.search !== undefined) search.set('search', query.search);
      if (query.offset !== undefined) search.set('offset', String(query.offset));
      return engine.json(SecretPage, {
        path: `/v2/clusters/${params.id}/secrets?${search}`,
        token: session.token,
        requestId,
      });
    },
  );
  route(
    {
      method: 'post',
      path: '/clusters/:id/secrets',
      summary: 'Create a secret (refused with 503 while KMS enablement runs)',
      operationId: 'createSecret',
      tag: 'Secrets',
      errors: [403, 409],
      params: ClusterPath,
      body: SecretWrite,
      before: [bodyPrecheck(secretBodyProblem)],
      response: SecretMeta,
      status: 201,
    },
    ({ session, requestId, params, body }) =>
      engine.json(SecretMeta, {
        method: 'POST',
        path: `/v2/clusters/${params.id}/secrets`,
        token: session.token,
        requestId,
        body,
      }),
  );
  route(
    {
      method: 'get',
      path: '/clusters/:id/secrets/:namespace/:name',
      summary: "Read a secret's values (the user asked to reveal them; needs Editor)",
      operationId: 'revealSecret',
      tag: 'Secrets',
      errors: [403, 409],
      params: SecretPath,
      response: Secret,
    },
    async ({ session, requestId, params, res }) => {
      res.setHeader('Cache-Control', 'no-store');
      return engine.json(Secret, { path: secretUrl(params), token: session.token, requestId });
    },
  );
  route(
    {
      method: 'get',
      path: '/clusters/:id/secrets/:namespace/:name/raw',
      summary: 'The bytes the store holds for a secret, to verify its encryption',
      operationId: 'getStoredSecret',
      tag: 'Secrets',
      errors: [403],
      params: SecretPath,
      response: RawSecret,
    },
    ({ session, requestId, params }) =>
      engine.json(RawSecret, { path: `${secretUrl(params)}/raw`, token: session.token, requestId }),
  );
  route(
    {
      method: 'delete',
      path: '/clusters/:id/secrets/:namespace/:name',
      summary: 'Delete a secret',
      operationId: 'deleteSecret',
      tag: 'Secrets',
      errors: [403, 409],
      params: SecretPath,
    },
    ({ session, requestId, params }) =>
      engine.send({ method: 'DELETE', path: secretUrl(params), token: session.token, requestId }),
  );
}
