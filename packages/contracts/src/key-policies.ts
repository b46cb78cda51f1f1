import { z } from 'zod';
import { Collection } from './keys.ts';

/**
 * Key Protect's policies, in its own shapes so its SDK keeps working: a key's rotation and
 * dual-authorization-delete policies (`PUT /api/v2/keys/{id}/policies?policy=rotation` or
 * `?policy=dualAuthDelete`) and the instance's defaults for new keys (`/api/v2/instance/policies`).
 */
export const POLICY_MEDIA_TYPE = 'application/vnd.ibm.kms.policy+json';

/** Months between rotations: Key Protect allows 1 to 12. */
export const IntervalMonth = z.number().int().min(1).max(12);

/** A rotation policy as set: `enabled` defaults to true; an enabled policy needs its interval. */
export const RotationSetting = z
  .strictObject({ enabled: z.boolean().default(true), interval_month: IntervalMonth.optional() })
  .refine((r) => !r.enabled || r.interval_month !== undefined, {
    message: 'an enabled rotation policy needs interval_month (1 to 12)',
    path: ['interval_month'],
  });
export type RotationSetting = z.infer<typeof RotationSetting>;

const policyCollection = <T extends z.ZodType>(resource: T) =>
  z.object({
    metadata: z.object({
      collectionType: z.literal(POLICY_MEDIA_TYPE),
      collectionTotal: z.literal(1),
    }),
    resources: z.tuple([resource]),
  });

/** Dual authorization to delete: once on, a key's cannot be turned off. */
export const DualAuthSetting = z.strictObject({ enabled: z.boolean() });
export type DualAuthSetting = z.infer<typeof DualAuthSetting>;

export const KeyPolicyRequest = policyCollection(
  z.union([
    z.strictObject({ type: z.literal(POLICY_MEDIA_TYPE), rotation: RotationSetting }),
    z.strictObject({ type: z.literal(POLICY_MEDIA_TYPE), dualAuthDelete: DualAuthSetting }),
  ]),
);
export type KeyPolicyRequest = z.infer<typeof KeyPolicyRequest>;

export const PolicyType = z.enum(['rotation', 'dualAuthDelete']);
export type PolicyType = z.infer<typeof PolicyType>;
/** Which policy a PUT sets (Key Protect's `policy` query parameter). */
export const PolicyQuery = z.object({ policy: PolicyType });

/** A key's policy as Key Protect lists it. */
export const KeyPolicy = z.object({
  id: z.string(),
  crn: z.string(),
  type: z.literal(POLICY_MEDIA_TYPE),
  createdBy: z.string(),
  creationDate: z.string(),
  updatedBy: z.string(),
  lastUpdateDate: z.string(),
  rotation: z.object({ enabled: z.boolean(), interval_month: IntervalMonth.optional() }).optional(),
  dualAuthDelete: z.object({ enabled: z.boolean() }).optional(),
});
export type KeyPolicy = z.infer<typeof KeyPolicy>;
export const KeyPolicyCollection = Collection(KeyPolicy, POLICY_MEDIA_TYPE);

export const InstancePolicyRequest = policyCollection(
  z.discriminatedUnion('policy_type', [
    z.strictObject({
      policy_type: z.literal('rotation'),
      policy_data: z
        .strictObject({
          enabled: z.boolean(),
          attributes: z.strictObject({ interval_month: IntervalMonth }).optional(),
        })
        .refine((d) => !d.enabled || d.attributes !== undefined, {
          message: 'an enabled rotation policy needs attributes.interval_month (1 to 12)',
          path: ['attributes'],
        }),
    }),
    z.strictObject({
      policy_type: z.literal('dualAuthDelete'),
      policy_data: z.strictObject({ enabled: z.boolean() }),
    }),
  ]),
);
export type InstancePolicyRequest = z.infer<typeof InstancePolicyRequest>;

/** An instance's policy as Key Protect lists it. */
export const InstancePolicy = z.object({
  policy_type: PolicyType,
  policy_data: z.object({
    enabled: z.boolean(),
    attributes: z.object({ interval_month: IntervalMonth }).optional(),
  }),
  createdBy: z.string(),
  creationDate: z.string(),
  updatedBy: z.string(),
  lastUpdated: z.string(),
});
export type InstancePolicy = z.infer<typeof InstancePolicy>;
export const InstancePolicyCollection = Collection(InstancePolicy, POLICY_MEDIA_TYPE);
