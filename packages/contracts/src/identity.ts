import { z } from 'zod';
import { PlatformRole, ServiceRole } from './common.ts';

/** IAM-style token request (form-encoded), as `POST /identity/token` accepts it. */
export const TokenRequest = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('urn:ibm:params:oauth:grant-type:apikey'),
    apikey: z.string().min(1).max(256),
  }),
  z.object({
    grant_type: z.literal('password'),
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(256),
  }),
]);
export type TokenRequest = z.infer<typeof TokenRequest>;

export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  expiration: z.number().int().positive(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const PlatformGrant = z.object({ clusterId: z.string(), role: PlatformRole });
export type PlatformGrant = z.infer<typeof PlatformGrant>;
export const ServiceGrant = z.object({ instanceId: z.string(), role: ServiceRole });
export type ServiceGrant = z.infer<typeof ServiceGrant>;

export const Me = z.object({
  id: z.string(),
  username: z.string(),
  accountId: z.string(),
  platformRoles: z.array(PlatformGrant),
  serviceRoles: z.array(ServiceGrant),
});
export type Me = z.infer<typeof Me>;

export const ApiKeyCreate = z.object({ name: z.string().min(1).max(100) });
export const ApiKeyCreated = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  apikey: z.string(),
});
export const ApiKeySummary = ApiKeyCreated.omit({ apikey: true });

/** Whether some grant that covers the resource ranks at least `role` in `order` (lowest first). */
function holds<R extends string, G extends { role: R }>(
  order: readonly R[],
  grants: readonly G[],
  covers: (grant: G) => boolean,
  role: R,
): boolean {
  const rank = order.indexOf(role);
  return grants.some((g) => covers(g) && order.indexOf(g.role) >= rank);
}

/** Whether the user holds at least `role` on the cluster (grants on "*" cover every cluster). */
export function hasPlatformRole(
  user: Pick<Me, 'platformRoles'>,
  clusterId: string,
  role: PlatformRole,
): boolean {
  return holds(
    PlatformRole.options,
    user.platformRoles,
    (g) => g.clusterId === clusterId || g.clusterId === '*',
    role,
  );
}

/** Whether the user holds at least `role` on the KMS instance (grants on "*" cover every one). */
export function hasServiceRole(
  user: Pick<Me, 'serviceRoles'>,
  instanceId: string,
  role: ServiceRole,
): boolean {
  return holds(
    ServiceRole.options,
    user.serviceRoles,
    (g) => g.instanceId === instanceId || g.instanceId === '*',
    role,
  );
}
