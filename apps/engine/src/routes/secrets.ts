import {
  ClusterIdParam,
  RawSecret,
  Secret,
  SecretListQuery,
  SecretMeta,
  SecretPage,
  SecretRef,
  SecretUpdate,
  SecretWrite,
  secretBodyProblem,
} from '@keyhaven/contracts';
import { bodyPrecheck } from '@keyhaven/server';
import type { RouteDeps } from './route.ts';

/** A cluster's secrets, as its API server stores them: list, create, read, replace, delete, raw. */
export function secretRoutes({ route, engine }: RouteDeps) {
  const tag = 'Secrets';
  const SecretPath = ClusterIdParam.extend(SecretRef.shape);
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/secrets',
      operationId: 'listSecrets',
      tag,
      summary: 'List secrets (names and storage state)',
      params: ClusterIdParam,
      query: SecretListQuery,
      response: SecretPage,
      errors: [403],
    },
    ({ principal, params, query }) => engine.secrets.list(principal, params.id, query),
  );
  route(
    {
      method: 'post',
      path: '/v2/clusters/:id/secrets',
      operationId: 'createSecret',
      tag,
      summary: 'Create a secret',
      params: ClusterIdParam,
      body: SecretWrite,
      before: [bodyPrecheck(secretBodyProblem)],
      response: SecretMeta,
      status: 201,
      errors: [403, 409],
    },
    ({ principal, params, body }) => engine.secrets.write(principal, params.id, body, 'create'),
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/secrets/:namespace/:name',
      operationId: 'getSecret',
      tag,
      summary: 'Read a secret (decrypted)',
      params: SecretPath,
      response: Secret,
      errors: [403, 409],
    },
    ({ principal, params }) =>
      engine.secrets.get(principal, params.id, params.namespace, params.name),
  );
  route(
    {
      method: 'put',
      path: '/v2/clusters/:id/secrets/:namespace/:name',
      operationId: 'replaceSecret',
      tag,
      summary: 'Replace a secret',
      params: SecretPath,
      body: SecretUpdate,
      before: [bodyPrecheck(secretBodyProblem)],
      response: SecretMeta,
      errors: [403, 409],
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
      operationId: 'deleteSecret',
      tag,
      summary: 'Delete a secret',
      params: SecretPath,
      errors: [403, 409],
    },
    async ({ principal, params }) => {
      await engine.secrets.delete(principal, params.id, params.namespace, params.name);
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/clusters/:id/secrets/:namespace/:name/raw',
      operationId: 'getRawSecret',
      tag,
      summary: 'The stored bytes of a secret, as the store holds them',
      params: SecretPath,
      response: RawSecret,
      errors: [403],
    },
    ({ principal, params }) =>
      engine.secrets.raw(principal, params.id, params.namespace, params.name),
  );
}
