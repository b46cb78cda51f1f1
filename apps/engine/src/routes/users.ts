import { engineApi as api } from '@keyhaven/contracts';
import type { RouteDeps } from './route.ts';

/** IAM: the account's users and their access policies (account Administrators). */
export function userRoutes({ route, engine }: RouteDeps) {
  route(api.listUsers, async ({ principal }) => ({ users: await engine.users.list(principal) }));
  route(api.createUser, ({ principal, body }) => engine.users.create(principal, body));
  route(api.deleteUser, async ({ principal, params }) => {
    await engine.users.remove(principal, params.id);
  });
  route(api.listAccessPolicies, async ({ principal, query }) => ({
    policies: await engine.users.policies(principal, query.iam_id),
  }));
  route(api.createAccessPolicy, ({ principal, body }) => engine.users.grant(principal, body));
  route(api.deleteAccessPolicy, async ({ principal, params }) => {
    await engine.users.revoke(principal, params.id);
  });
}
