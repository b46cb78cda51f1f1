import {
  AuthorizationIdParam,
  AuthorizationPolicy,
  AuthorizationPolicyCreate,
  AuthorizationPolicyList,
} from '@keyhaven/contracts';
import type { RouteDeps } from './route.ts';

/** IAM service-to-service authorizations: Kubernetes Service may use a KMS instance (seed 003). */
export function authorizationRoutes({ route, engine }: RouteDeps) {
  const tag = 'IAM';
  route(
    {
      method: 'get',
      path: '/identity/authorizations',
      operationId: 'listAuthorizations',
      tag,
      summary: "Service-to-service authorizations from or to the caller's account",
      response: AuthorizationPolicyList,
    },
    ({ principal }) => engine.authorizations.list(principal),
  );
  route(
    {
      method: 'post',
      path: '/identity/authorizations',
      operationId: 'createAuthorization',
      tag,
      summary: 'Authorize Kubernetes Service to use a KMS instance (needs Administrator)',
      body: AuthorizationPolicyCreate,
      response: AuthorizationPolicy,
      status: 201,
      errors: [403, 404, 409],
    },
    async ({ principal, body }) => {
      const created = await engine.authorizations.create(principal, body);
      const listed = await engine.authorizations.list(principal);
      return listed.find((p) => p.id === created.id) ?? { ...created, dependents: [] };
    },
  );
  route(
    {
      method: 'delete',
      path: '/identity/authorizations/:id',
      operationId: 'deleteAuthorization',
      tag,
      summary: 'Delete an authorization (clusters relying on it turn to a warning)',
      params: AuthorizationIdParam,
      errors: [403],
    },
    async ({ principal, params }) => {
      await engine.authorizations.delete(principal, params.id);
    },
  );
}
