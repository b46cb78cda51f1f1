import {
  AuthorizationIdParam,
  AuthorizationPolicy,
  AuthorizationPolicyCreate,
  AuthorizationPolicyList,
  engineApi,
} from '@keyhaven/contracts';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';

/** Service authorizations: Kubernetes Service may use a KMS instance (seed 003). */
export function authorizationRoutes(route: Route, engine: EngineClient) {
  const tag = 'Authorizations';
  route(
    {
      method: 'get',
      path: '/authorizations',
      operationId: 'listAuthorizations',
      tag,
      summary: "Service-to-service authorizations from or to the user's account",
      response: AuthorizationPolicyList,
    },
    ({ session, requestId }) =>
      engine.call(engineApi.listAuthorizations, {
        token: session.token,
        requestId,
      }),
  );
  route(
    {
      method: 'post',
      path: '/authorizations',
      operationId: 'createAuthorization',
      tag,
      summary: 'Authorize Kubernetes Service to use a KMS instance (needs Administrator)',
      body: AuthorizationPolicyCreate,
      response: AuthorizationPolicy,
      status: 201,
      errors: [403, 404, 409],
    },
    ({ session, requestId, body }) =>
      engine.call(engineApi.createAuthorization, {
        token: session.token,
        requestId,
        body,
      }),
  );
  route(
    {
      method: 'delete',
      path: '/authorizations/:id',
      operationId: 'deleteAuthorization',
      tag,
      summary: 'Delete an authorization (clusters relying on it turn to a warning)',
      params: AuthorizationIdParam,
      errors: [403],
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.deleteAuthorization, {
        params,
        token: session.token,
        requestId,
      }),
  );
}
