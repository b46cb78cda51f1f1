import { z } from 'zod';
import { count } from './format.ts';

const dnsLabel = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS name (a-z, 0-9, "-", ".")');

export const SecretRef = z.object({ namespace: dnsLabel.max(63), name: dnsLabel });
export type SecretRef = z.infer<typeof SecretRef>;

/** Kubernetes caps a secret at 1 MiB; data values are base64 as in the Kubernetes API. */
export const MAX_SECRET_BYTES = 1024 * 1024;

/** Data keys one secret may hold: far more than any real secret, few enough to check at once. */
export const MAX_DATA_KEYS = 1000;

/**
 * What is wrong with a secret body's size, judged before its schema reads every key and value:
 * a 2 MB body of 120,000 keys is refused in microseconds, not validated for seconds first.
 */
export function secretBodyProblem(body: unknown): string | undefined {
  const data = (body as { data?: unknown } | null | undefined)?.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const entries = Object.entries(data);
  if (entries.length > MAX_DATA_KEYS)
    return `body.data: a secret holds at most ${count(MAX_DATA_KEYS)} data keys, not ${count(entries.length)}`;
  let bytes = 0;
  for (const [key, value] of entries)
    bytes += key.length + (typeof value === 'string' ? value.length : 0);
  // base64 is 4/3 of the bytes it encodes.
  if (bytes > Math.ceil((MAX_SECRET_BYTES * 4) / 3) + MAX_DATA_KEYS * 253)
    return 'body.data: the secret is larger than 1 MiB, the most Kubernetes stores';
  return undefined;
}

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

export const SecretListQuery = z
  .object({
    namespace: dnsLabel.max(63).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    continue: z.string().max(600).optional(),
    /** Secrets whose "namespace/name" contains this text, any case. */
    search: z.string().trim().max(253).optional(),
    /** Skips this many secrets (numbered pages); with search, of the matching ones. */
    offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
  })
  .refine((q) => !(q.continue && (q.search !== undefined || q.offset !== undefined)), {
    message: 'continue pages the whole list; with search or offset, page with offset',
    path: ['continue'],
  });
export type SecretListQuery = z.infer<typeof SecretListQuery>;

export const RawSecret = z.object({
  storeKey: z.string(),
  /** The stored bytes, base64: exactly what the store holds. */
  value: z.string(),
  prefix: z.string().nullable(),
  encrypted: z.boolean(),
  /** The EncryptedObject's key_id, read without opening the value (null when stored plain). */
  keyId: z.string().nullable(),
  /** The root key version its DEK seed is wrapped under, when Keyhaven wrote the key_id. */
  rootKey: z
    .object({ instanceId: z.string(), keyId: z.string(), versionId: z.string() })
    .nullable(),
});
export type RawSecret = z.infer<typeof RawSecret>;
