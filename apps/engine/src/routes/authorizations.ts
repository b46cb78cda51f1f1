import { engineApi as api } from '@keyhaven/contracts';
import type { RouteDeps } from './route.ts';

/** IAM service-to-service authorizations: Kubernetes Service may use a KMS instance (seed 003). */
export function authorizationRoutes({ route, engine }: RouteDeps) {
  route(api.listAuthorizations, ({ principal }) => engine.authorizations.list(principal));
  route(api.createAuthorization, async ({ principal, body }) => {
    const created = await engine.authorizations.create(principal, body);
    const listed = await engine.authorizations.list(principal);
    return listed.find((p) => p.id === created.id) ?? { ...created, dependents: [] };
  });
  route(api.deleteAuthorization, async ({ principal, params }) => {
    await engine.authorizations.delete(principal, params.id);
  });
}
