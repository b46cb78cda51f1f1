import { z } from 'zod';
import { Id, IsoDate, Provider } from './common.ts';

/** Key Protect's state numbering. */
export const KeyState = {
  PreActivation: 0,
  Active: 1,
  Suspended: 2,
  Deactivated: 3,
  Destroyed: 5,
} as const;
export const KeyStateNumber = z.union([
  z.literal(0),
  z.literal(1),
  z.literal(2),
  z.literal(3),
  z.literal(5),
]);
export type KeyStateNumber = z.infer<typeof KeyStateNumber>;

export const KmsInstance = z.object({
  id: z.string(),
  name: z.string(),
  provider: Provider,
  region: z.string(),
  accountId: z.string(),
  privateEndpoint: z.string(),
  publicEndpoint: z.string(),
});
export type KmsInstance = z.infer<typeof KmsInstance>;

export const KeyVersion = z.object({ id: z.string(), creationDate: z.string() });

export const Registration = z.object({
  keyId: z.string(),
  keyVersion: z.string(),
  clusterId: z.string(),
  clusterName: z.string(),
  createdAt: z.string(),
});
export type Registration = z.infer<typeof Registration>;

/** A root key as the Key Protect v2 API returns it. */
export const RootKey = z.object({
  id: z.string(),
  type: z.literal('application/vnd.ibm.kms.key+json'),
  name: z.string(),
  description: z.string().optional(),
  state: KeyStateNumber,
  extractable: z.literal(false),
  instanceId: z.string(),
  crn: z.string(),
  creationDate: z.string(),
  createdBy: z.string(),
  lastUpdateDate: z.string(),
  expirationDate: z.string().optional(),
  keyVersion: z.object({ id: z.string(), creationDate: z.string() }),
  versions: z.array(KeyVersion),
  registrations: z.array(Registration),
  deleted: z.boolean(),
});
export type RootKey = z.infer<typeof RootKey>;

export const Collection = <T extends z.ZodType>(item: T, type: string) =>
  z.object({
    metadata: z.object({ collectionType: z.literal(type), collectionTotal: z.number().int() }),
    resources: z.array(item),
  });

export const KeyCollection = Collection(RootKey, 'application/vnd.ibm.kms.key+json');
export const InstanceCollection = z.object({ instances: z.array(KmsInstance) });

export const KeyCreateRequest = z.object({
  metadata: z.object({
    collectionType: z.literal('application/vnd.ibm.kms.key+json'),
    collectionTotal: z.literal(1),
  }),
  resources: z
    .array(
      z.object({
        type: z.literal('application/vnd.ibm.kms.key+json'),
        name: z
          .string()
          .trim()
          .min(2)
          .max(90)
          .regex(/^[A-Za-z0-9 ._-]+$/, 'may contain letters, digits, spaces, ".", "_" and "-"'),
        description: z.string().max(240).optional(),
        extractable: z.literal(false),
        expirationDate: IsoDate.optional(),
      }),
    )
    .length(1),
});
export type KeyCreateRequest = z.infer<typeof KeyCreateRequest>;

export const KeyAction = z.enum(['wrap', 'unwrap', 'rewrap', 'rotate', 'disable', 'enable']);
export type KeyAction = z.infer<typeof KeyAction>;

const base64 = z.base64().max(16_384);
export const WrapRequest = z.object({
  plaintext: base64.optional(),
  aad: z.array(z.string()).max(32).optional(),
});
export const WrapResponse = z.object({
  ciphertext: z.string(),
  keyVersion: z.object({ id: z.string() }),
});
export const UnwrapRequest = z.object({
  ciphertext: base64,
  aad: z.array(z.string()).max(32).optional(),
});
export const UnwrapResponse = z.object({
  plaintext: z.string(),
  keyVersion: z.object({ id: z.string() }),
});

export const KeyIdParam = z.object({ id: Id });
export const DeleteKeyQuery = z.object({
  force: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
