import { z } from 'zod';
import { PlatformRole, ServiceRole } from './common.ts';

/**
 * The one form of a username that logging in, rate limits and lookups all use: Unicode NFKC
 * (an ideographic space becomes a space), trimmed, lower case. "Admin", " admin" and
 * "\u3000admin" are one user, and one budget of login attempts.
 */
export const normalizeUsername = (username: string) =>
  username.normalize('NFKC').trim().toLowerCase();

/** A username as typed, checked and normalized. */
export const Username = (empty = 'must not be empty') =>
  z.string().max(256).transform(normalizeUsername).pipe(z.string().min(1, empty).max(128));

/** IAM-style token request (form-encoded), as `POST /identity/token` accepts it. */
export const TokenRequest = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('urn:ibm:params:oauth:grant-type:apikey'),
    apikey: z.string().min(1).max(256),
  }),
  z.object({
    grant_type: z.literal('password'),
    username: Username(),
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
export const ApiKeySummary = ApiKeyCreated.omit({ apikey: true }).extend({
  /** A KMS plug-in's key: the API server it speaks for, bound at its first report. */
  resource: z.string().optional(),
});
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;
export const ApiKeyList = z.array(ApiKeySummary);

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

/** A cluster or KMS instance, as far as grants are concerned: which it is, and whose. */
export interface OwnedResource {
  id: string;
  accountId: string;
}

/**
 * Whether the user holds at least `role` on the cluster. A grant on "*" covers every cluster of
 * the user's own account, never another account's.
 */
export function hasPlatformRole(
  user: Pick<Me, 'platformRoles' | 'accountId'>,
  cluster: OwnedResource,
  role: PlatformRole,
): boolean {
  const own = cluster.accountId === user.accountId;
  return holds(
    PlatformRole.options,
    user.platformRoles,
    (g) => g.clusterId === cluster.id || (own && g.clusterId === '*'),
    role,
  );
}

/** Whether the user holds at least `role` on the KMS instance ("*": every one of the account). */
export function hasServiceRole(
  user: Pick<Me, 'serviceRoles' | 'accountId'>,
  instance: OwnedResource,
  role: ServiceRole,
): boolean {
  const own = instance.accountId === user.accountId;
  return holds(
    ServiceRole.options,
    user.serviceRoles,
    (g) => g.instanceId === instance.id || (own && g.instanceId === '*'),
    role,
  );
}

/**
 * Whether the user may read the account's audit log: it spans every cluster and KMS instance of
 * the account, so it takes Viewer on all its clusters and Reader on all its instances.
 */
export function canReadAudit(user: Pick<Me, 'platformRoles' | 'serviceRoles' | 'accountId'>) {
  const all = { id: '', accountId: user.accountId };
  return hasPlatformRole(user, all, 'Viewer') && hasServiceRole(user, all, 'Reader');
}
