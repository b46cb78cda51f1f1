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
export const ServiceGrant = z.object({ instanceId: z.string(), role: ServiceRole });

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

/** Whether the user holds at least `role` on the cluster (grants on "*" cover every cluster). */
export function hasPlatformRole(user: Me, clusterId: string, role: PlatformRole): boolean {
  const rank = PlatformRole.options.indexOf(role);
  return user.platformRoles.some(
    (g) =>
      (g.clusterId === clusterId || g.clusterId === '*') &&
      PlatformRole.options.indexOf(g.role) >= rank,
  );
}

/** Whether the user holds at least `role` on the KMS instance (grants on "*" cover every one). */
export function hasServiceRole(user: Me, instanceId: string, role: ServiceRole): boolean {
  const rank = ServiceRole.options.indexOf(role);
  return user.serviceRoles.some(
    (g) =>
      (g.instanceId === instanceId || g.instanceId === '*') &&
      ServiceRole.options.indexOf(g.role) >= rank,
  );
}
