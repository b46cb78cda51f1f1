import { z } from 'zod';
import { PlatformRole, ServiceRole } from './common.ts';
import { PlatformGrant, ServiceGrant, Username } from './identity.ts';

/** A user id as the engine makes them (`user-…`); plug-in identities are not users here. */
export const UserId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'is not a user id');
export const UserIdParam = z.object({ id: UserId });

export const UserCreate = z.object({
  username: Username('must not be empty').pipe(
    z
      .string()
      .min(2)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9._@-]*$/, 'may contain letters, digits, ".", "_", "@" and "-"'),
  ),
  /** The first password, given to the user apart; never stored but as a scrypt hash. */
  password: z.string().min(12, 'must be at least 12 characters').max(256),
});
export type UserCreate = z.infer<typeof UserCreate>;

export const User = z.object({
  id: z.string(),
  username: z.string(),
  accountId: z.string(),
  createdAt: z.string().optional(),
  createdBy: z.string().optional(),
  platformRoles: z.array(PlatformGrant),
  serviceRoles: z.array(ServiceGrant),
  /** Holds Administrator on every cluster of the account ("*"): manages users and access. */
  administrator: z.boolean(),
});
export type User = z.infer<typeof User>;
export const UserList = z.object({ users: z.array(User) });

/** IAM's services: Key Protect instances take service roles, clusters platform roles. */
export const AccessService = z.enum(['kms', 'containers-kubernetes']);
export type AccessService = z.infer<typeof AccessService>;
export const ALL_RESOURCES = '*';

const ResourceAttribute = z.discriminatedUnion('name', [
  z.object({ name: z.literal('serviceName'), value: AccessService }),
  /** A KMS instance's or a cluster's id; absent: all of them in the account. */
  z.object({
    name: z.literal('serviceInstance'),
    value: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'is not an instance or cluster id'),
  }),
]);

/** IAM's access-policy shape: one subject (a user), one role, one resource. */
export const AccessPolicyRequest = z
  .object({
    type: z.literal('access'),
    subjects: z.tuple([
      z.object({ attributes: z.tuple([z.object({ name: z.literal('iam_id'), value: UserId })]) }),
    ]),
    roles: z.tuple([z.object({ role_id: z.union([PlatformRole, ServiceRole]) })]),
    resources: z.tuple([z.object({ attributes: z.array(ResourceAttribute).min(1).max(2) })]),
  })
  .superRefine((policy, ctx) => {
    const attributes = policy.resources[0].attributes;
    const service = attributes.find((a) => a.name === 'serviceName')?.value;
    const names = attributes.map((a) => a.name);
    if (!service || new Set(names).size !== names.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['resources', 0, 'attributes'],
        message: 'needs one serviceName and at most one serviceInstance',
      });
      return;
    }
    const role = policy.roles[0].role_id;
    const fits =
      service === 'kms'
        ? ServiceRole.safeParse(role).success
        : PlatformRole.safeParse(role).success;
    if (!fits)
      ctx.addIssue({
        code: 'custom',
        path: ['roles', 0, 'role_id'],
        message:
          service === 'kms'
            ? 'a KMS instance takes a service role: Reader, Writer or Manager'
            : 'a cluster takes a platform role: Viewer, Operator, Editor or Administrator',
      });
  });
export type AccessPolicyRequest = z.infer<typeof AccessPolicyRequest>;

export const AccessPolicy = z.object({
  id: z.string(),
  type: z.literal('access'),
  subjects: z.array(
    z.object({ attributes: z.array(z.object({ name: z.string(), value: z.string() })) }),
  ),
  roles: z.array(z.object({ role_id: z.string() })),
  resources: z.array(
    z.object({ attributes: z.array(z.object({ name: z.string(), value: z.string() })) }),
  ),
});
export type AccessPolicy = z.infer<typeof AccessPolicy>;
export const AccessPolicyList = z.object({ policies: z.array(AccessPolicy) });
export const AccessPolicyQuery = z.object({ iam_id: UserId.optional() });
export const AccessPolicyIdParam = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not an access policy id'),
});

/** The grant an access policy stands for, in the engine's model. */
export type AccessGrant =
  | { service: 'kms'; userId: string; grant: ServiceGrant }
  | { service: 'containers-kubernetes'; userId: string; grant: PlatformGrant };

/** Reads a (valid) access-policy request as a grant. */
export function grantOf(policy: AccessPolicyRequest): AccessGrant {
  const attributes = policy.resources[0].attributes;
  const service = attributes.find((a) => a.name === 'serviceName')?.value as AccessService;
  const resource = attributes.find((a) => a.name === 'serviceInstance')?.value ?? ALL_RESOURCES;
  const userId = policy.subjects[0].attributes[0].value;
  const role = policy.roles[0].role_id;
  return service === 'kms'
    ? { service, userId, grant: { instanceId: resource, role: role as ServiceRole } }
    : { service, userId, grant: { clusterId: resource, role: role as PlatformRole } };
}

/**
 * IAM's access-policy shape for one user, role and resource ("*" or none: all of the account's),
 * unchecked: AccessPolicyRequest checks it before it is sent or served.
 */
export function accessPolicyShape(
  userId: string,
  service: string,
  role: string,
  resource: string = ALL_RESOURCES,
) {
  return {
    type: 'access' as const,
    subjects: [{ attributes: [{ name: 'iam_id', value: userId }] }],
    roles: [{ role_id: role }],
    resources: [
      {
        attributes: [
          { name: 'serviceName', value: service },
          ...(resource === ALL_RESOURCES ? [] : [{ name: 'serviceInstance', value: resource }]),
        ],
      },
    ],
  };
}

/** A grant as IAM's access policy, under the id given. */
export function policyOf(id: string, grant: AccessGrant): AccessPolicy {
  const resource = grant.service === 'kms' ? grant.grant.instanceId : grant.grant.clusterId;
  return { id, ...accessPolicyShape(grant.userId, grant.service, grant.grant.role, resource) };
}
