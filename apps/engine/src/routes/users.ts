import { canReadAudit, engineApi as api } from '@keyhaven/contracts';
import { EngineError } from '@keyhaven/engine';
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
  route(api.listAuditEvents, ({ principal, query }) => {
    if (!canReadAudit(principal))
      throw new EngineError(
        403,
        'FORBIDDEN',
        `The audit log of account ${principal.accountId} spans all its clusters and KMS instances: it needs the Viewer platform role on all clusters and the Reader service role on all KMS instances.`,
      );
    return engine.activity.audit(principal.accountId, query);
  });
}
