import {
  AuthorizationIdParam,
  AuthorizationPolicy,
  AuthorizationPolicyCreate,
  AuthorizationPolicyList,
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
      engine.json(AuthorizationPolicyList, {
        path: '/identity/authorizations',
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
      engine.json(AuthorizationPolicy, {
        method: 'POST',
        path: '/identity/authorizations',
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
      engine.send({
        method: 'DELETE',
        path: `/identity/authorizations/${encodeURIComponent(params.id)}`,
        token: session.token,
        requestId,
      }),
  );
}
