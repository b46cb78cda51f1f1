import { z } from 'zod';
import { Id, IsoDate, Provider } from './common.ts';
import { KeyImportFields } from './import-tokens.ts';

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
  /** The cluster's id, or the KMS plug-in's resource name when kind is kms-plugin. */
  clusterId: z.string(),
  clusterName: z.string(),
  kind: z.enum(['cluster', 'kms-plugin']),
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
  /** When it was last rotated, by hand or by policy (absent before its first rotation). */
  lastRotateDate: z.string().optional(),
  /** When its rotation policy rotates it next (absent without an enabled policy). */
  nextRotationDate: z.string().optional(),
  /** Its rotation policy, when one was set (GET …/policies has Key Protect's full shape). */
  rotationPolicy: z
    .object({ enabled: z.boolean(), intervalMonth: z.number().int().optional() })
    .optional(),
  /**
   * Dual authorization to delete (Key Protect's shape): whether a Manager authorized the
   * deletion, and until when another Manager may delete; `lapsed` when that time passed unused.
   */
  dualAuthDelete: z
    .object({
      enabled: z.boolean(),
      keySetForDeletion: z.boolean(),
      authExpiration: z.string().optional(),
      authorizedBy: z.string().optional(),
      lapsed: z.boolean().optional(),
    })
    .optional(),
  keyVersion: z.object({ id: z.string(), creationDate: z.string() }),
  versions: z.array(KeyVersion),
  registrations: z.array(Registration),
  deleted: z.boolean(),
  /** Whether its material was brought in through an import token (bring your own key). */
  imported: z.boolean().optional(),
  /** Other names of the key, each usable wherever its id is (at most 5). */
  aliases: z.array(z.string()).optional(),
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
  resources: z.tuple([
    z
      .object({
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
      })
      .extend(KeyImportFields.shape)
      .refine(
        (r) =>
          [r.payload, r.encryptedNonce, r.iv, r.encryptionAlgorithm].every(
            (f) => (f === undefined) === (r.payload === undefined),
          ),
        {
          message:
            'an import needs payload, encryptedNonce, iv and encryptionAlgorithm together (from an import token)',
          path: ['payload'],
        },
      ),
  ]),
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
  /** The data key, when the engine generated it (wrap without a plaintext). */
  plaintext: z.string().optional(),
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

/** Names Key Protect reserves for its own paths. */
const RESERVED_ALIASES = new Set(
  'allowed_ip key keys metadata policy policies registration registrations ring rings rotate wrap unwrap rewrap version versions'.split(
    ' ',
  ),
);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Key Protect's key alias: 2 to 90 letters, digits, "-" or "_", and not shaped as a key's id. */
export const KeyAlias = z
  .string()
  .min(2)
  .max(90)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "-" or "_"')
  .refine((alias) => !UUID.test(alias), 'must not be a UUID (it would read as a key id)')
  .refine((alias) => !RESERVED_ALIASES.has(alias), 'is a name Key Protect reserves');
export const KeyAliasParams = z.object({ id: Id, alias: KeyAlias });
export const KEY_ALIAS_MEDIA_TYPE = 'application/vnd.ibm.kms.key_alias+json';
export const KeyAliasResource = z.object({
  keyId: z.string(),
  alias: z.string(),
  creationDate: z.string(),
  createdBy: z.string(),
});
export type KeyAliasResource = z.infer<typeof KeyAliasResource>;

/** Key Protect names the KMS instance of every key call in a header. */
export const KeyProtectHeaders = z.object({
  'bluemix-instance': Id.meta({ examples: ['kp-us-south'] }),
});
export const DeleteKeyQuery = z.object({
  force: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

export type WrapRequest = z.infer<typeof WrapRequest>;
export type UnwrapRequest = z.infer<typeof UnwrapRequest>;
export type WrapResponse = z.infer<typeof WrapResponse>;
export type UnwrapResponse = z.infer<typeof UnwrapResponse>;

export const KeyAliasCollection = Collection(KeyAliasResource, KEY_ALIAS_MEDIA_TYPE);

export const KeyVersionCollection = Collection(
  KeyVersion,
  'application/vnd.ibm.kms.key_version+json',
);
export const RegistrationCollection = Collection(
  Registration,
  'application/vnd.ibm.kms.registration+json',
);

/** A KMS plug-in names itself, and the cluster it serves, with a resource name of its own. */
export const PluginResource = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9.:_-]{0,126}[a-z0-9])?$/,
    'must be 1 to 128 lowercase letters, digits, ".", ":", "_" or "-", starting and ending with a letter or digit',
  );
export const PluginRegistrationParams = z.object({ id: Id, resource: PluginResource });
export const PluginRegistrationRequest = z.object({
  description: z.string().trim().min(1).max(120).optional(),
});
export type PluginRegistrationRequest = z.infer<typeof PluginRegistrationRequest>;

/**
 * A KMS plug-in's registration with the root key it uses. The registration id is minted whenever
 * the plug-in moves to this key, so an id built from it never repeats (A → B → A differs).
 */
export const PluginRegistration = z.object({
  keyId: z.string(),
  resource: PluginResource,
  registrationId: z.string(),
  description: z.string().optional(),
  keyVersion: z.object({ id: z.string() }),
  state: KeyStateNumber,
  createdAt: z.string(),
});
export type PluginRegistration = z.infer<typeof PluginRegistration>;
