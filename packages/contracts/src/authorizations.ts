import { z } from 'zod';
import { Id, Provider, ServiceRole } from './common.ts';
import type { Me } from './identity.ts';

/** The service a cluster's master runs as, the source of KMS authorizations (seed 003). */
export const SOURCE_SERVICE = 'containers-kubernetes';
export const SourceService = z.literal(SOURCE_SERVICE);

export const sourceServiceLabel = 'Kubernetes Service';

/**
 * A service-to-service authorization policy, as IAM keeps it: the source service in an account may
 * use the target KMS service (one instance, or all of them) in the target account with these roles.
 */
export const AuthorizationPolicy = z.object({
  id: z.string(),
  source: z.object({ accountId: z.string(), serviceName: SourceService }),
  target: z.object({
    accountId: z.string(),
    serviceName: Provider,
    /** null: every instance of the service in the target account. */
    instanceId: z.string().nullable(),
    instanceName: z.string().nullable(),
  }),
  roles: z.array(ServiceRole).min(1),
  /** The source and its dependent services may delegate the access. */
  delegation: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
  /** The caller's clusters that use a KMS instance through this authorization. */
  dependents: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type AuthorizationPolicy = z.infer<typeof AuthorizationPolicy>;
export const AuthorizationPolicyList = z.array(AuthorizationPolicy);

export const AuthorizationPolicyCreate = z.object({
  source: z.object({
    /** Omitted: the caller's own account. */
    accountId: Id.optional(),
    serviceName: SourceService,
  }),
  target: z.object({
    serviceName: Provider,
    /** Omitted: every instance of the service in the caller's account. */
    instanceId: Id.optional(),
  }),
  roles: z
    .array(ServiceRole)
    .min(1)
    .max(3)
    .refine((roles) => roles.includes('Reader'), 'must include Reader')
    .refine((roles) => new Set(roles).size === roles.length, 'must not repeat a role'),
  delegation: z.boolean().default(false),
});
export type AuthorizationPolicyCreate = z.infer<typeof AuthorizationPolicyCreate>;

export const AuthorizationIdParam = z.object({ id: Id });

/**
 * Whether the user may create or delete authorizations whose target is in this account: the
 * Administrator role across the account (platform grants on "*") in that very account.
 */
export function isAccountAdministrator(
  user: Pick<Me, 'accountId' | 'platformRoles'>,
  accountId: string,
): boolean {
  return (
    user.accountId === accountId &&
    user.platformRoles.some((g) => g.clusterId === '*' && g.role === 'Administrator')
  );
}

/** Whether a policy lets Kubernetes Service of the account use the KMS instance (Reader or more). */
export function authorizes(
  policy: Pick<AuthorizationPolicy, 'source' | 'target' | 'roles'>,
  sourceAccountId: string,
  instance: { id: string; accountId: string; provider: Provider },
): boolean {
  return (
    policy.source.accountId === sourceAccountId &&
    policy.target.accountId === instance.accountId &&
    policy.target.serviceName === instance.provider &&
    (policy.target.instanceId === null || policy.target.instanceId === instance.id) &&
    policy.roles.includes('Reader')
  );
}
