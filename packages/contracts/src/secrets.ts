import { z } from 'zod';

const dnsLabel = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS name (a-z, 0-9, "-", ".")');

export const SecretRef = z.object({ namespace: dnsLabel.max(63), name: dnsLabel });
export type SecretRef = z.infer<typeof SecretRef>;

/** Kubernetes caps a secret at 1 MiB; data values are base64 as in the Kubernetes API. */
export const MAX_SECRET_BYTES = 1024 * 1024;

export const SecretData = z
  .record(
    z
      .string()
      .regex(/^[-._a-zA-Z0-9]+$/, 'keys may contain letters, digits, "-", "_", "."')
      .max(253),
    z.base64(),
  )
  .refine((d) => Object.keys(d).length > 0, 'a secret needs at least one data key');

export const SecretWrite = SecretRef.extend({
  type: z.string().max(253).default('Opaque'),
  data: SecretData,
});
export type SecretWrite = z.infer<typeof SecretWrite>;

export const SecretUpdate = z.object({ data: SecretData, type: z.string().max(253).optional() });

/** What a list shows without opening a value. */
export const SecretMeta = z.object({
  namespace: z.string(),
  name: z.string(),
  storeKey: z.string(),
  encrypted: z.boolean(),
  size: z.number().int(),
  modRevision: z.number().int(),
});
export type SecretMeta = z.infer<typeof SecretMeta>;

export const Secret = SecretMeta.extend({
  type: z.string(),
  data: z.record(z.string(), z.string()),
});
export type Secret = z.infer<typeof Secret>;

export const SecretPage = z.object({
  items: z.array(SecretMeta),
  total: z.number().int(),
  continue: z.string().nullable(),
});

export const SecretListQuery = z.object({
  namespace: dnsLabel.max(63).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  continue: z.string().max(600).optional(),
});

export const RawSecret = z.object({
  storeKey: z.string(),
  /** The stored bytes, base64: exactly what the store holds. */
  value: z.string(),
  prefix: z.string().nullable(),
  encrypted: z.boolean(),
});
export type RawSecret = z.infer<typeof RawSecret>;
