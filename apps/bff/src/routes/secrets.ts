import {
  ClusterIdParam,
  RawSecret,
  Secret,
  SecretListQuery,
  SecretMeta,
  SecretPage,
  SecretPath,
  SecretWrite,
  engineApi,
  secretBodyProblem,
} from '@keyhaven/contracts';
import { bodyPrecheck } from '@keyhaven/server';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';

const ClusterPath = ClusterIdParam;

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
    ({ session, requestId, params, query }) =>
      engine.call(engineApi.listSecrets, { params, query, token: session.token, requestId }),
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
      engine.call(engineApi.createSecret, {
        params,
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
      return engine.call(engineApi.getSecret, { params, token: session.token, requestId });
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
      engine.call(engineApi.getRawSecret, { params, token: session.token, requestId }),
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
      engine.call(engineApi.deleteSecret, { params, token: session.token, requestId }),
  );
}
